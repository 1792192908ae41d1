"""How a message, a keyboard or a page looks: views, keyboards, callback data, formatting."""
