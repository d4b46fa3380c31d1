"""The Gradio chat UI (``rag ui``): ``ui.app.build_app(rag)`` and ``ui.app.launch(settings)``."""
