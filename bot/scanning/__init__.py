"""Untrusted pictures and PDFs, read in a separate worker process.

The bot never opens a file a buyer or seller sent in its own process. It hands the bytes to a
:class:`~bot.scanning.pool.ScanPool`, whose worker processes (started with ``forkserver`` or
``spawn``, never forked from the bot's event loop) run under a time, memory and pixel limit:

- :mod:`bot.scanning.ocr` reads text lines with their boxes (the OCR engine loads lazily, once
  per worker);
- :mod:`bot.scanning.codes` decodes QR codes and barcodes and says which carry a contact;
- :mod:`bot.scanning.cover` masks what was read and paints solid boxes over the findings;
- :mod:`bot.scanning.pictures` and :mod:`bot.scanning.pdfs` turn a picture or a PDF into a new
  file made from covered pixels only; :mod:`bot.scanning.jobs` is what the pool runs for the
  relay.

Importing this package imports nothing heavy: the OCR libraries (onnxruntime, OpenCV, numpy)
are imported inside the worker only, so the bot stays within its memory target.
"""
