"""The Gradio chat UI: chat with cited sources, the collection, settings and feedback.

``build_app`` lays out the page around a passed-in :class:`rag.api.RAG`; ``launch`` binds it to
``settings.ui_host``/``ui_port`` (127.0.0.1:7860 by default) with optional basic auth. All
answering goes through ``RAG.stream``, exactly as the CLI and the Python API do.

>>> from rag.settings import load_settings
>>> from ui.app import launch
>>> demo = launch(load_settings(), block=False)   # doctest: +SKIP
>>> demo.local_url                                # doctest: +SKIP
'http://127.0.0.1:7860/'
"""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

import gradio as gr

from rag.errors import ConfigError
from rag.settings import Settings
from rag.api import RAG
from ui import persist, render
from ui.auth import LOGIN_MESSAGE, LoginGuard
from ui.chat import LLM, Chat, Session, intro_text
from ui.feedback import FeedbackLog
from ui.library import FILE_TYPES, Library
from ui.style import CSS, HEAD, JS, LIVE_REGION, theme
from ui.timeline import Timeline
from ui.uploads import max_upload_bytes, without_temp_leak

log = logging.getLogger(__name__)

CHAT_CONCURRENCY = 16  # questions answered at once; more wait in the queue (the embedder runs one at a time anyway)
# Gradio's copies of uploads nobody pressed "Add" for: swept hourly once an hour old (added ones go at once)
UPLOAD_SWEEP = (3600, 3600)
# the upload box's height, and the most its list of chosen files takes (it scrolls inside past that):
# 163 files made a list some 9000 px long, which pushed Add and the ingest's progress out of sight
UPLOAD_HEIGHT = 280
# the chat's height: the window's, less the title, tabs, settings line, question row and New chat (~380 px)
CHAT_HEIGHT = "clamp(320px, calc(100vh - 380px), 640px)"


def build_app(rag: RAG, *, feedback_path: Path | None = None) -> gr.Blocks:
    """The whole page for one RAG (shared by every session; each session has its own history)."""
    chat = Chat(rag, FeedbackLog(feedback_path or rag.settings.feedback_path))
    lib = Library(rag.collection)
    choices = chat.answerer_choices()

    # analytics_enabled=False by argument: no version check or telemetry, without GRADIO_ANALYTICS_ENABLED
    with gr.Blocks(title="Ask your articles", analytics_enabled=False, delete_cache=UPLOAD_SWEEP) as demo:
        session = gr.State(Session())
        # the chat's turns, kept in this browser's localStorage (ui.persist: data, never HTML; nothing on
        # the server): a reload or a restart of the server shows the conversation again, follow-ups too
        stored = gr.BrowserState(persist.empty(), storage_key=persist.storage_key(rag.settings.home,
                                 rag.settings.collection), secret=persist.CIPHER)
        with gr.Sidebar(label="Settings", open=True, width=300):
            gr.Markdown("### Settings")
            answerer = gr.Radio(
                choices, value=choices[0][1], label="Answerer",
                info=None if any(v == LLM for _, v in choices)
                else "Set OPENAI_API_KEY or OPENAI_BASE_URL to answer with an LLM server.",
            )
            top_k = gr.Slider(1, 20, value=rag.settings.top_k, step=1, label="Passages")
            sources = gr.Textbox(label="Sources", placeholder="e.g. reuters, bbc.co.uk", elem_id="rag-filter-sources",
                                 info="Comma-separated; matches the source, URL or title. Empty: all.")
            since = gr.Textbox(label="Published from", placeholder="YYYY-MM-DD")
            until = gr.Textbox(label="Published to", placeholder="YYYY-MM-DD")
            as_of = gr.Textbox("", label="As of", placeholder="YYYY-MM-DD (empty: today)",
                               info="The date 'this week', 'on Sunday' and 'latest' are read against.")
        settings_inputs = [answerer, top_k, sources, since, until, as_of]

        # the live region screen readers hear progress in ("Finding the passages…", then how many were
        # found; ui.style.JS keeps it in step with the panels): it must be on the page before its text
        # changes to be announced, and outside the tabs so that it is heard from any of them
        gr.HTML('<div class="rag-header"><h1>Ask your articles</h1>'
                "<p>Answers cite the exact passages they rest on. Click a [n] to see its source.</p>"
                f"{LIVE_REGION}</div>")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                summary = gr.HTML(chat.settings_summary(choices[0][1], rag.settings.top_k, "", "", "", ""),
                                  elem_id="rag-settings-summary")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=5, elem_id="rag-chat-col"):  # ui.style.CSS shows Stop by what it holds
                        # the height follows the window: at a fixed 560 px, a 1280x800 screen opened the page
                        # scrolled down to the question box, the title above the fold
                        # no gradio copy button: it copies a message's HTML as it is (tags, entities, no
                        # sources); each answer has its own, copying it as plain text (ui.export)
                        chatbot = gr.Chatbot(
                            elem_id="rag-chat", label="Chat", show_label=False, height=CHAT_HEIGHT, render_markdown=False,
                            sanitize_html=True, allow_tags=False, buttons=[],
                            placeholder=intro_text(int(rag.collection.db.counts().get("articles", 0))),
                        )
                        with gr.Row(elem_id="rag-ask-row"):
                            # small minimum widths for the buttons: at gradio's default (160px each)
                            # the question box got no more room than a button; at 200 px for the box,
                            # a phone (390 px) put Stop on a full-width line of its own
                            # every text box has a label, shown or not: without one a screen reader
                            # names it by gradio's hidden default, "Textbox"
                            box = gr.Textbox(label="Question", show_label=False, placeholder="Ask a question…",
                                             scale=6, min_width=150, elem_id="rag-question", autofocus=True)
                            send = gr.Button("Ask", variant="primary", scale=1, min_width=64, elem_id="rag-ask")
                            # closing the answer's stream stops a local model's generation and frees it;
                            # shown only while an answer is being made (ui.style.CSS: while the chat holds
                            # one still searching, a draft, or a question waiting behind it)
                            stop = gr.Button("Stop", variant="stop", scale=1, min_width=64, elem_id="rag-stop")
                        new_chat = gr.Button("New chat", size="sm", variant="secondary")
                    with gr.Column(scale=4):
                        gr.Markdown("#### Sources")
                        panel = gr.HTML(render.sources_html(None), elem_id="rag-sources")

            with gr.Tab("Collection", id="collection"):
                # made first, placed below: the feeds block wires to them before their turn comes
                ingest_out = gr.HTML(render.ingest_html([]), elem_id="rag-ingest", render=False)
                search = gr.Textbox(label="Search articles", show_label=False,
                                    placeholder="Search titles and sources…", scale=4, elem_id="rag-search",
                                    render=False)
                victim = gr.Dropdown(label="Remove an article", choices=[], scale=4,
                                     elem_id="rag-remove-choice", render=False)
                articles = gr.HTML(elem_id="rag-articles", render=False)
                with gr.Row(equal_height=False):
                    with gr.Column(scale=2):
                        files = without_temp_leak(gr.File(
                            label="Upload articles", file_count="multiple", file_types=FILE_TYPES,
                            elem_id="rag-upload", type="filepath", height=UPLOAD_HEIGHT))
                        urls = gr.Textbox(label="URLs", lines=3, placeholder="https://example.org/story.html (one per line)")
                        add = gr.Button("Add to collection", variant="primary", elem_id="rag-add")
                        # the ingest's progress and results right under Add, where the user looks once it
                        # is pressed (below the feeds block they began at a laptop window's bottom edge,
                        # new user 28); the feeds just under the results "Poll now" streams into (under
                        # the article list, which grows with the collection, they were a page-length
                        # apart), the results' height capped (ui.style.CSS) so that many rows do not
                        # push the feeds away again
                        ingest_out.render()
                        feed_events = lib.feeds_panel(ingest_out, articles, victim, search)
                    with gr.Column(scale=3):
                        with gr.Row(elem_classes="rag-centred"):
                            search.render()
                            refresh = gr.Button("Search", scale=1)
                        with gr.Row(elem_classes="rag-bottom"):
                            victim.render()
                            remove = gr.Button("Remove", variant="stop", scale=1, elem_id="rag-remove")
                        # the Remove button only asks: the removal waits for "Yes, remove" here
                        with gr.Row(visible=False, elem_id="rag-remove-confirm") as confirm_row:
                            with gr.Column(scale=4):
                                confirm_text = gr.HTML(elem_id="rag-remove-ask")
                            with gr.Column(scale=1, min_width=150):
                                really = gr.Button("Yes, remove", variant="stop", elem_id="rag-remove-yes")
                                cancel = gr.Button("Cancel", elem_id="rag-remove-no")
                        articles.render()

            with gr.Tab("Timeline", id="timeline"):  # catch up on a topic: rag.brief, like `rag brief`
                # summaries with any LLM the chat offers: the configured one, else the installed local model
                Timeline(rag, local=chat).panel(as_of, concurrency_limit=CHAT_CONCURRENCY)

        # --- wiring ------------------------------------------------------------------------
        # every refresh of the summary in one queue, in order: the page load's (with the empty fields
        # it was sent with) had finished after a setting typed just after it, and hid that setting
        summarise = {"fn": chat.settings_summary, "inputs": settings_inputs, "outputs": [summary],
                     "api_visibility": "private", "concurrency_id": "summary", "concurrency_limit": 1}
        # each question refreshes the summary from the very values it is asked with: the page reads
        # the inputs of a trigger's events together, and runs them in the order they were wired (this
        # one first: wired after the answer, it would wait for the whole answer). Refreshes on a
        # setting's change alone once left "all sources" above an answer filtered by a source.
        gr.on([box.submit, send.click], **summarise, trigger_mode="multiple", show_progress="hidden")
        asking = gr.on([box.submit, send.click], chat.respond, [box, session, *settings_inputs],
                       [box, chatbot, session, panel], api_name="ask", concurrency_id="chat",
                       concurrency_limit=CHAT_CONCURRENCY, show_progress="minimal")
        # Enter while an answer runs: gradio runs the event above once at a time and dropped the
        # question without a sign; this queues it in the chat, and the running answer's stream
        # answers it next (every Enter comes here too: with no answer running it does nothing)
        gr.on([box.submit, send.click], chat.queue, [box, session, *settings_inputs], [box, chatbot],
              trigger_mode="multiple", api_visibility="private", show_progress="hidden",
              concurrency_id="queue", concurrency_limit=None)
        # every answered turn goes into the browser's store when the answers are done (those queued
        # behind it included), or stopped; New chat stores the empty chat (ui.persist)
        save = {"fn": chat.save, "inputs": [session], "outputs": [stored], "api_visibility": "private",
                "show_progress": "hidden", "concurrency_limit": None}
        asking.then(**save)
        # the stopped answer says so at once (an LLM's draft was never checked, so it goes), and the
        # sources panel leaves "Finding the passages…" (Chat.stop_showing); the questions queued
        # behind it go back into the box, unasked
        stop.click(chat.stop_showing, [session], [chatbot, session, panel], cancels=[asking],
                   api_visibility="private", show_progress="hidden").then(
            chat.give_back, [box, session], [box], api_visibility="private", show_progress="hidden").then(**save)
        chatbot.select(chat.select, [session], [panel], api_visibility="private")
        chatbot.like(chat.like, [session], None, api_visibility="private")
        # "New chat" and the chat's own trash button: the session forgets the conversation too (the
        # button alone emptied the view, and the next question brought the old turns back); the
        # questions still queued go back into the box
        gr.on([new_chat.click, chatbot.clear], chat.new_chat, [box, session], [box, chatbot, session, panel],
              cancels=[asking], api_visibility="private").then(**save)
        gr.on([c.change for c in settings_inputs], **summarise, show_progress="hidden")

        # ingest and remove take the store's write lock: one at a time, queued rather than refused
        # the empty chat's placeholder follows the collection (empty: "add articles in the Collection tab")
        introduce = {"fn": chat.intro, "inputs": None, "outputs": [chatbot], "api_visibility": "private",
                     "show_progress": "hidden"}
        add.click(lib.add, [files, urls, search], [ingest_out, articles, victim], api_name="add",
                  concurrency_id="store-write", concurrency_limit=1, show_progress_on=[ingest_out]).then(
            lambda: (None, ""), None, [files, urls], api_visibility="private").then(**summarise).then(**introduce)
        gr.on([search.submit, refresh.click], lib.listing, [search], [articles, victim], api_name="list_articles")
        hide_confirm = {"fn": lambda: gr.update(visible=False), "inputs": None, "outputs": [confirm_row],
                        "api_visibility": "private", "show_progress": "hidden"}
        remove.click(lib.confirm_remove, [victim], [confirm_text, confirm_row], api_visibility="private")
        # a question about another choice (or a refreshed list) is no question about this one
        gr.on([victim.change, cancel.click], **hide_confirm)
        # the API's "remove" removes at once: the API call is its caller's confirmation
        really.click(lib.remove, [victim, search], [articles, victim], api_name="remove",
                     concurrency_id="store-write", concurrency_limit=1).then(**hide_confirm).then(**summarise).then(
            **introduce)
        for feed_event in feed_events:  # Watch (its first poll) and Poll now: their article count
            feed_event.then(**summarise).then(**introduce)
        demo.load(lib.listing, [search], [articles, victim], api_visibility="private")
        demo.load(**summarise)
        demo.load(**introduce)
        # the turns this browser kept (none, or unreadable: the empty chat), with the last one's sources
        demo.load(chat.restore, [stored, session], [chatbot, session, panel, stored], api_visibility="private",
                  show_progress="hidden")

    demo.queue(default_concurrency_limit=CHAT_CONCURRENCY)
    return demo


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``'user:password'`` -> ``(user, password)``; unset -> no auth."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError("RAG_UI_AUTH must look like user:password (both non-empty)")
    return user, password


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def launch(
    settings: Settings,
    rag: RAG | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    block: bool = True,
    login_guard: LoginGuard | None = None,
) -> gr.Blocks:
    """Serve the UI on ``host:port`` (default: settings.ui_host / ui_port). With ``block=False`` it
    returns the running app at once (``demo.local_url``; stop it with ``demo.close()``).

    With ``RAG_UI_AUTH`` set, logins go through a :class:`ui.auth.LoginGuard` (throttled after
    repeated failures); ``login_guard`` replaces the default one (tests inject a clock). Uploads
    over ``RAG_MAX_FILE_MB`` are refused by Gradio while they arrive, before anything is stored."""
    host = host or settings.ui_host
    port = port or settings.ui_port
    auth = parse_auth(settings.ui_auth)
    if auth is None and not _is_loopback(host):
        log.warning("the UI listens on %s without a password: set RAG_UI_AUTH=user:password", host)
    guard = (login_guard or LoginGuard(*auth)) if auth else None
    demo = build_app(rag or RAG(settings))
    from starlette.middleware import Middleware

    from rag.http_api import LocalOnly

    # without a password on loopback: no other site's page, and no DNS-rebinding page, may drive it
    # (it can add and remove articles); gradio itself only sets CORS headers
    local_only = {"middleware": [Middleware(LocalOnly)]} if guard is None and _is_loopback(host) else {}
    try:
        demo.launch(
            server_name=host, server_port=port, prevent_thread_lock=True, quiet=True,
            auth=guard.check if guard else None, auth_message=LOGIN_MESSAGE if guard else None,
            max_file_size=max_upload_bytes(settings),
            share=False, inbrowser=False, show_error=False, ssr_mode=False, mcp_server=False,
            footer_links=["api", "settings"], run_history=False, enable_monitoring=False,
            theme=theme(), css=CSS, js=JS, head=HEAD, app_kwargs=local_only,
        )
    except OSError as exc:
        raise ConfigError(f"cannot serve the UI on {host}:{port} ({exc}); pick another port with "
                          "--port or RAG_UI_PORT") from exc
    if block:
        demo.block_thread()
    return demo
