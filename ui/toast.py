"""Pop-up messages (Gradio toasts) with their text escaped.

Gradio renders a toast's message as HTML (through a sanitizer that still lets ``<img src=...>``
fetch from anywhere). Our messages carry article titles, URLs, file names and error text, so
they go out escaped and always show as the text they are.
"""

from __future__ import annotations

import gradio as gr

from ui.render import esc


def warn(message: str) -> None:
    gr.Warning(esc(message))


def info(message: str) -> None:
    gr.Info(esc(message))
