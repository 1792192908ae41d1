# The seller assistant in a slim image. Build: docker build -t chopni-bot .
# Run:   docker run -e BOT_TOKEN=… -e DATABASE_URL=postgresql+asyncpg://… -p 8080:8080 chopni-bot
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml hatch_build.py README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY conversations ./conversations
COPY storage ./storage
COPY locales ./locales
# Building the wheel compiles the gettext catalogs (hatch_build.py).
RUN pip install --no-cache-dir build && python -m build --wheel --outdir /wheels

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 chopni
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER chopni
WORKDIR /home/chopni
ENV HOST=0.0.0.0 \
    PORT=8080 \
    DATABASE_URL=sqlite+aiosqlite:////home/chopni/chopni.db \
    PYTHONUNBUFFERED=1
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8080\")}/healthz')"
CMD ["chopni-bot", "run"]
