// Names each rich text editor after its field's label and help text, for screen readers: the
// editor (django-prose-editor) is made by a module after the page has loaded, without a name.
(() => {
  const name = (editor) => {
    const textarea = editor.closest(".prose-editor")?.querySelector("textarea");
    if (!textarea || editor.hasAttribute("aria-labelledby")) return;
    const label = document.querySelector(`label[for="${textarea.id}"]`);
    if (!label) return;
    label.id ||= `${textarea.id}-label`;
    editor.setAttribute("aria-labelledby", label.id);
    const help = document.getElementById(`${textarea.id}_helptext`);
    if (help) editor.setAttribute("aria-describedby", help.id);
  };
  const nameAll = () => document.querySelectorAll(".prose-editor [contenteditable]").forEach(name);
  new MutationObserver(nameAll).observe(document.documentElement, { childList: true, subtree: true });
})();
