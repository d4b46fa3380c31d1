"""Theme and CSS for the chat UI. System fonts only: the page makes no request off the host."""

from __future__ import annotations

import gradio as gr


def theme() -> gr.themes.Base:
    """Gradio's default themes pull Google fonts; this one uses the system's fonts."""
    return gr.themes.Soft(
        primary_hue="indigo",
        neutral_hue="slate",
        font=[gr.themes.Font("system-ui"), gr.themes.Font("-apple-system"), gr.themes.Font("Segoe UI"), "sans-serif"],
        font_mono=[gr.themes.Font("ui-monospace"), gr.themes.Font("SFMono-Regular"), gr.themes.Font("Menlo"),
                   "monospace"],
    ).set(
        button_primary_background_fill="*primary_600",
        button_primary_background_fill_hover="*primary_700",
        button_primary_text_color="white",
    )


CSS = """
.rag-header h1 { margin: 0; font-size: 1.35rem; }
.rag-header p { margin: 0.15rem 0 0; color: var(--body-text-color-subdued); }
.rag-settings { display: flex; flex-wrap: wrap; gap: 0.35rem; font-size: 0.85rem; }
.rag-settings span { background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary);
  border-radius: 999px; padding: 0.1rem 0.6rem; color: var(--body-text-color-subdued); }
.rag-answer { line-height: 1.55; }
.rag-short { font-size: 1.1em; margin-bottom: 0.25em; }
.rag-pending { color: var(--body-text-color-subdued); font-style: italic; }
.rag-cursor { opacity: 0.6; }
.rag-draft { opacity: 0.75; }
.rag-draft-label { font-size: 0.8em; font-style: italic; margin-bottom: 0.3em; }
a.rag-cite { text-decoration: none; font-weight: 600; font-size: 0.8em; vertical-align: super;
  color: var(--color-accent); padding: 0 1px; }
a.rag-cite:hover { text-decoration: underline; }
.rag-notice { margin-top: 0.5rem; padding: 0.35rem 0.6rem; border-radius: 6px; font-size: 0.85rem;
  background: #fff7ed; color: #9a3412; border: 1px solid #fed7aa; }
.rag-error { padding: 0.35rem 0.6rem; border-radius: 6px; background: #fef2f2; color: #991b1b;
  border: 1px solid #fecaca; }
.rag-refused { margin-top: 0.5rem; font-size: 0.9rem; color: var(--body-text-color-subdued); }
.rag-query { margin-top: 0.5rem; font-size: 0.8rem; color: var(--body-text-color-subdued); }
.rag-query summary { cursor: pointer; }
.rag-sources { display: flex; flex-direction: column; gap: 0.6rem; max-height: 640px; overflow-y: auto;
  padding-right: 0.25rem; }
.rag-sources-head { font-size: 0.85rem; color: var(--body-text-color-subdued); }
.rag-empty { color: var(--body-text-color-subdued); font-size: 0.9rem; }
.rag-source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.6rem 0.75rem;
  background: var(--background-fill-primary); scroll-margin-top: 1rem; }
.rag-source.cited { border-left: 4px solid var(--color-accent); }
.rag-source:target { box-shadow: 0 0 0 3px var(--color-accent-soft); }
.rag-source:focus { outline: 3px solid var(--color-accent); outline-offset: 2px; }
.rag-confirm { padding: 0.35rem 0.6rem; border-radius: 6px; background: #fef2f2; color: #991b1b;
  border: 1px solid #fecaca; }
.rag-source header { font-weight: 600; }
.rag-n { color: var(--color-accent); }
.rag-meta { font-size: 0.8rem; color: var(--body-text-color-subdued); margin: 0.15rem 0 0.4rem; }
.rag-passage { margin: 0; padding: 0; font-size: 0.88rem; line-height: 1.5;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.rag-passage mark { background: #fde68a; color: #1f2937; padding: 0 1px; border-radius: 2px; }
.rag-sources details summary { cursor: pointer; font-size: 0.85rem; color: var(--body-text-color-subdued);
  margin-bottom: 0.4rem; }
.rag-table { width: 100%; border-collapse: collapse; font-size: 0.85rem; border: 0 !important; }
.rag-table tr { border: 0 !important; }
.rag-table th, .rag-table td { text-align: left; padding: 0.35rem 0.5rem; vertical-align: top;
  border: 0 !important; border-bottom: 1px solid var(--border-color-primary) !important;
  word-break: normal; overflow-wrap: break-word; }
/* Headers and short cells (dates, counts, ids, statuses) stay on one line: with overflow-wrap:anywhere
   on every cell the table squeezed them to their narrowest ("publi/shed", "2024-/11-20") at 1280 px.
   Only the text columns (title / source, reason, error) give way, and only to a token too long for
   their line (a long URL); they keep a readable minimum width. A table wider than its box (a phone)
   scrolls sideways, never clips. */
.rag-table th, .rag-table td.rag-fit { white-space: nowrap; }
.rag-table td.rag-text { overflow-wrap: anywhere; min-width: 10em; }
.rag-table td.rag-fit code { font-size: 0.75rem; }  /* a 16-character id takes less of the title's room */
/* on our own elements: gradio puts an inline overflow:visible on its blocks (#rag-articles etc.) */
.rag-ingest, .rag-articles, .rag-feeds { overflow-x: auto; max-width: 100%; }
/* an ingest's results sit between Add and the watched feeds: a 163-file upload's rows scroll inside
   them, rather than pushing the feeds block thousands of pixels down */
#rag-ingest .rag-ingest { max-height: 70vh; overflow-y: auto; }
.rag-table th { color: var(--body-text-color-subdued); font-weight: 600; }
.rag-dim { color: var(--body-text-color-subdued); font-size: 0.78rem; overflow-wrap: anywhere; }
.rag-status { border-radius: 999px; padding: 0.05rem 0.5rem; font-size: 0.78rem; font-weight: 600;
  background: var(--background-fill-secondary); }
.rag-status.added, .rag-status.updated { background: #dcfce7; color: #166534; }
.rag-status.failed { background: #fee2e2; color: #991b1b; }
.rag-path { font-family: var(--font-mono); }
.rag-waiting { color: var(--body-text-color-subdued); font-style: italic; }
/* the question box's block is 60 px tall with its padding, the buttons 40: centred, the buttons sat
   level with the box's top edge instead of its text */
#rag-ask-row, .rag-centred { align-items: center; }
.rag-bottom { align-items: flex-end; }
/* a chosen article's long label ran under the dropdown's arrow ("… · undated▾c"): it stops short of it */
:is(#rag-remove-choice, #rag-feed-choice) input { padding-right: 1.6rem !important; text-overflow: ellipsis; }  /* a labelled field's button level with its box, not its label */
.rag-elapsed { font-variant-numeric: tabular-nums; margin-left: 0.4em; }
/* gradio draws an ingest's progress (its words and bar) over the top of the results: the results'
   first line ("8/40 items · 8 added") sat under it, unreadable. While the progress shows, the results
   start below it. */
#rag-ingest:has(> .wrap.full:not(.hide)) > .html-container { padding-top: 3.2rem; }
/* the Timeline's LLM checkbox: gradio gives a checkbox in a row no minimum width (its min_width is
   not applied), so at 800 px it got 99 px beside Sources and its label ran past the box, clipped at the
   page's edge ("Summari", "(loca"). It keeps room for its words, else takes a line of its own, and a
   word longer than its line (a model's file name) breaks inside it. */
#rag-tl-llm { min-width: min(13rem, 100%) !important; }
#rag-tl-llm :is(label, .label-text, .info-text) { min-width: 0; overflow-wrap: anywhere; }
.rag-understood { margin-top: 0.4rem; font-size: 0.8rem; color: var(--body-text-color-subdued); }
.rag-more { display: inline; }
.rag-more summary { display: inline; cursor: pointer; font-size: 0.85em; color: var(--color-accent); }
.rag-reason { font-size: 0.8rem; overflow-wrap: anywhere; margin-top: 0.15rem; }
.rag-reason.failed { color: #991b1b; }
/* gr.HTML styles every link of its own (".gradio-style a": padding 2px 8px, centred, for buttons made
   of links): a source's URL sat indented after its date, on a line of its own. Source lines are text:
   no padding, and a long URL breaks inside its card instead of running past the card's edge. */
:is(.rag-sources, .rag-ingest, .rag-articles, .rag-feeds) a { padding: 0 !important; text-align: inherit !important; }
.rag-meta, .rag-dim { overflow-wrap: anywhere; }
/* gradio's prose margins and bar on a blockquote: the timeline's quote sat a line below its title */
.rag-sources blockquote.rag-passage { margin: 0.3rem 0 0.4rem !important; padding: 0 !important;
  border-left: 0 !important; }
/* Stop only while an answer is being made: the chat then holds a bubble still searching, a draft, or a
   question waiting behind it (Stop takes it back). Shown always, it offered to stop nothing. A browser
   without :has() drops the rule and keeps Stop in sight, as before. */
#rag-chat-col:not(:has(#rag-chat :is(.rag-pending, .rag-draft, .rag-waiting))) #rag-stop { display: none !important; }
/* Like/Dislike under finished answers only: gradio gives every bot
   message its buttons, and a rating of a draft still streaming, a stopped answer or an error rated
   nothing (ui.chat.Chat.like ignores them). The buttons are the message row's next sibling. */
#rag-chat .message-row:has(:is(.rag-pending, .rag-draft, .rag-waiting, .rag-stopped, .rag-error)) + .message-buttons {
  display: none !important; }
/* an answer's or a timeline's Copy and Download JSON (ui.export): small, quiet buttons; the text and
   JSON they copy or save sit beside them in hidden <pre>s, kept hidden whatever a theme does to <pre> */
.rag-export { display: flex; flex-wrap: wrap; gap: 0.4rem; margin-top: 0.5rem; }
.rag-timeline > .rag-export { margin: 0; }
.rag-export button { font-size: 0.8rem; padding: 0.1rem 0.6rem; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary);
  color: var(--body-text-color-subdued); }
.rag-export button:hover { color: var(--body-text-color); border-color: var(--color-accent); }
.rag-export pre { display: none !important; }
/* read by screen readers, not shown: the live region progress is announced in (LIVE_REGION) */
.rag-sr-only { position: absolute !important; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
/* A phone (390 px): the article table's five columns took ~490 px in a ~300 px column, and the
   chunks, chars and id columns sat behind a sideways scroll. In a narrow list (the list's own width,
   a container query, in HEAD: the desktop column is wide enough) they are left out, and the same
   facts go on a line under the title instead. */
.rag-articles { container: rag-articles / inline-size; }
"""

# Rules gradio's CSS handling drops (it keeps style, @media, @keyframes and @font-face rules, not
# @container): they go into the page's head as they are (``launch(head=HEAD)``), with the rule they
# override (gradio's copy of a CSS rule is more specific than any rule here).
HEAD = """<style>
.rag-articles .rag-narrow { display: none; }
@container rag-articles (max-width: 500px) {
  .rag-articles .rag-minor { display: none; }
  .rag-articles .rag-narrow { display: block; }
}
</style>"""

#: the page's live region (``role=status``: polite): ``JS`` puts the progress of an answer and of a
#: timeline in it, so screen readers hear "Finding the passages…" and what was found
LIVE_REGION = '<div id="rag-live" class="rag-sr-only" role="status" aria-live="polite" aria-atomic="true"></div>'


# Run once when the page loads.
#
# Plain-text labels for screen readers: gradio (6.x, Message.svelte) labels every chat message with
# aria-label="bot's message: " + its raw content, and our messages are HTML, so a screen reader read
# out tags and entities ("&lt;b&gt;"). No gradio option changes that label; each message's label is
# set here to the text the message shows (answer, [n] markers, notices), whenever it changes. The
# text goes in with setAttribute: it is never parsed as HTML.
#
# A [n] marker links to its source card (#src-T-N): following it scrolled the card into view but left
# keyboard focus on the marker, so keyboard and screen-reader users did not land on the source. The
# card (tabindex=-1) gets the focus. Clicking a marker also makes the server re-render the panel for
# that message's turn (Chat.select): the card may appear, or be replaced, a moment later, so for a
# short while the card is focused again whenever the panel changes, unless the user moved on.
#
# A pending answer's bubble shows the seconds it has been waiting (``rag-elapsed``).
#
# Copy and Download JSON (``ui.export``): an answer's or a timeline's plain text (or JSON) is in the
# hidden <pre> beside the button, escaped in the HTML; its textContent is the text as it was. Copy
# writes it to the clipboard (through a hidden textarea where the Clipboard API is missing: a page
# served over plain http to another machine), Download saves the JSON as a file. The button says
# what happened for two seconds, and the live region says it to screen readers. A message's label
# leaves the button's words out.
#
# Watch and Poll now bring the ingest results (their progress, then what they read) into view.
#
# Progress is announced to screen readers: the sources panel's "Finding the passages…" (and the
# timeline's "Reading the articles…") is copied into the page's live region (``LIVE_REGION``), then
# how many passages were found once they are in.
#
# Gradio's sidebar is 100vw wide at <= 768px, and ours starts open: on a phone the settings covered
# the whole chat until the user found the toggle. On a narrow screen it starts closed (one click on
# gradio's own toggle, so its open state stays consistent); wider screens keep it open.
JS = """() => {
  const MESSAGE = '#rag-chat [data-testid="bot"], #rag-chat [data-testid="user"]';
  const relabel = (el) => {
    let text = el.innerText || el.textContent || '';
    el.querySelectorAll('.rag-export').forEach((x) => { text = text.replace(x.innerText || '', ''); });
    text = text.replace(/\\s+/g, ' ').trim();
    const label = (el.dataset.testid === 'user' ? 'Question: ' : 'Answer: ') + text;
    if (el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label);
  };
  const relabelAll = () => document.querySelectorAll(MESSAGE).forEach(relabel);
  // only the messages that changed (a streaming answer changes many times); any other change: all
  new MutationObserver((records) => {
    const changed = new Set();
    for (const r of records) {
      const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const message = node && node.closest(MESSAGE);
      if (!message) { relabelAll(); return; }
      changed.add(message);
    }
    changed.forEach(relabel);
  }).observe(document.getElementById('rag-chat') || document.body, {  // the chat's own element when there
    subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['aria-label', 'open'],
  });
  relabelAll();

  let cited = null, citedAt = 0;
  const focusCited = () => {
    if (!cited || Date.now() - citedAt > 3000) { cited = null; return; }
    const card = document.getElementById(cited);
    const now = document.activeElement;
    if (!card || now === card) return;
    if (now && now !== document.body && !now.closest('#rag-chat, #rag-sources')) { cited = null; return; }
    if (!card.hasAttribute('tabindex')) card.setAttribute('tabindex', '-1');
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: 'nearest' });
  };
  document.addEventListener('click', (ev) => {
    const marker = ev.target instanceof Element && ev.target.closest('a.rag-cite');
    if (!marker) return;
    cited = decodeURIComponent((marker.getAttribute('href') || '').replace(/^#/, ''));
    citedAt = Date.now();
    setTimeout(focusCited, 0);  // after the link's own jump to the card
  });
  new MutationObserver(focusCited).observe(document.getElementById('rag-sources') || document.body,
                                           { subtree: true, childList: true });

  const live = document.getElementById('rag-live');
  const tell = (button, said, spoken) => {
    if (!button.dataset.label) button.dataset.label = button.textContent;
    button.textContent = said;
    if (live) live.textContent = spoken;
    clearTimeout(button.ragTimer);
    button.ragTimer = setTimeout(() => { button.textContent = button.dataset.label; }, 2000);
  };
  const copyText = async (text) => {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) {
      const area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.left = '-9999px';
      document.body.appendChild(area);
      area.select();
      let done = false;
      try { done = document.execCommand('copy'); } catch (e2) { done = false; }
      area.remove();
      return done;
    }
  };
  document.addEventListener('click', async (ev) => {
    const button = ev.target instanceof Element && ev.target.closest('.rag-export button');
    if (!button) return;
    const box = button.closest('.rag-export');
    if (button.classList.contains('rag-copy')) {
      const text = (box.querySelector('pre.rag-plain') || {}).textContent || '';
      if (await copyText(text)) tell(button, 'Copied', 'Copied to the clipboard.');
      else tell(button, 'Copy failed', 'Could not copy: the browser refused the clipboard.');
    } else if (button.classList.contains('rag-download')) {
      const json = (box.querySelector('pre.rag-json') || {}).textContent || '';
      const url = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = button.getAttribute('data-file') || 'timeline.json';
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      tell(button, 'Downloaded', 'The timeline was saved as ' + link.download + '.');
    }
  });

  // Watch polls the new feed at once and Poll now polls them all: their progress and results go into
  // the ingest results above the feeds block, which on a laptop's screen began just below the fold
  // (Watch sits higher than Poll now): brought into view as the poll starts. So do an upload's, under
  // Add: on a short screen they began at its bottom edge (new user 28)
  const showResults = () => setTimeout(() => {
    const results = document.getElementById('rag-ingest');
    if (results) results.scrollIntoView({ block: 'nearest' });
  }, 0);
  document.addEventListener('click', (ev) => {
    if (ev.target instanceof Element && ev.target.closest('#rag-feed-add, #rag-feed-poll, #rag-add')) showResults();
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && ev.target instanceof Element && ev.target.closest('#rag-feed-url')) showResults();
  });

  // seconds an answer has been in the making: a local model's 30 s behind a bare "Searching…" read
  // as stuck. Each pending bubble counts from when it appeared (its element is kept while unchanged).
  setInterval(() => {
    document.querySelectorAll('.rag-pending .rag-elapsed').forEach((el) => {
      if (!el.dataset.t0) el.dataset.t0 = String(Date.now());
      const s = Math.floor((Date.now() - Number(el.dataset.t0)) / 1000);
      const shown = s >= 2 ? `${s} s` : '';
      if (el.textContent !== shown) el.textContent = shown;
    });
  }, 500);

  // progress for screen readers: the sources panel's (and the timeline's) "Finding the passages…"
  // went into a panel that is no live region, and nobody heard it. The page's live region (LIVE_REGION,
  // there from the start, as a live region must be) says it, then what was found.
  const words = (el) => (el ? el.textContent || '' : '').replace(/\\s+/g, ' ').trim();
  const said = (sel, panel) => {  // a panel's result in a sentence; '' while it shows none
    const head = panel.querySelector('.rag-sources-head');
    const error = panel.querySelector('.rag-error');
    if (!head && !error) return '';  // its first words ("Ask a question: …")
    const n = panel.querySelectorAll('article.rag-source').length;
    const note = words(panel.querySelector('.rag-error, p.rag-empty'));
    if (sel === '#rag-sources') {
      return n ? `Found ${n} passage${n === 1 ? '' : 's'}; they are in the Sources panel.` : (note || 'No passage found.');
    }
    return error ? note : `The timeline is ready: ${words(head)}.${note && !n ? ' ' + note : ''}`;
  };
  const result = {};  // per panel: the result last announced (a new one is said once)
  const announce = () => {
    if (!live) return;
    for (const sel of ['#rag-sources', '#rag-timeline']) {
      const panel = document.querySelector(sel);
      if (!panel) continue;
      const pending = panel.querySelector('.rag-pending');
      let text = '';
      if (pending) {
        text = words(pending);
        result[sel] = null;  // what comes next is new, even if it reads as the last one did
      } else {
        const now = said(sel, panel);
        if (now && now !== result[sel]) text = result[sel] = now;
      }
      if (text && live.textContent !== text) live.textContent = text;
    }
  };
  announce();
  // the whole page: the Timeline tab's panel may be drawn only when the tab is first opened
  new MutationObserver(announce).observe(document.body, { subtree: true, childList: true, characterData: true });

  if (!window.matchMedia('(max-width: 768px)').matches) return;
  let tries = 0;
  const close = () => {
    const open = document.querySelector('.sidebar.open .toggle-button');
    if (open) { open.click(); return; }
    if (++tries < 50) setTimeout(close, 100);
  };
  close();
}"""
