"""Pages -> HTML through the theme's Jinja2 templates.

Autoescaping is always on: every value from content or config reaches HTML escaped unless
it is one of the sentence `html` fields, which the reader made from escaped Markdown.
Links in templates go through `url()`, which makes a site-root-relative path relative
to the page being rendered; only the 404 page, served by GitHub Pages at any depth,
needs absolute links, and gets them from `base_url` when one is set.

A page writes a thousand values and makes a hundred calls, and Jinja's generic code for
those was most of a page's time: the environment (`_Environment`) compiles `{{ value }}`,
`{{ value|safe }}`, `x.name` and calls of `url()` to leaner Python, and its context
passes macros and built-in methods their arguments without Jinja's look for a context
to pass. Each gives the bytes and errors Jinja's own code gives, for any theme
(tests/test_render.py compares them with plain Jinja).
"""

from __future__ import annotations

import functools
import posixpath
import types
from collections.abc import Callable, Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any, TypeGuard

import jinja2
from jinja2 import nodes, pass_context
from jinja2.bccache import Bucket
from jinja2.compiler import CodeGenerator, Frame
from jinja2.filters import do_mark_safe
from jinja2.runtime import Context, Macro
from jinja2.utils import internalcode
from markupsafe import Markup, escape

try:  # MarkupSafe 3's C escaping, which its `escape` wraps in Python
    from markupsafe._speedups import _escape_inner
except ImportError:  # MarkupSafe 2, whose `escape` is C itself, or 3 without its C part

    def _escape_inner(s: str, /) -> str:
        return escape(s)


from digest.cache import code_fingerprint
from digest.errors import DigestError
from digest.feeds import FEED_LABELS, FEED_TYPES, SITE_FEEDS, topic_feeds
from digest.site import Page, SiteView
from digest.theme import Theme


def environment(theme: Theme, auto_reload: bool = True) -> jinja2.Environment:
    env = _Environment(
        auto_reload=auto_reload,
        bytecode_cache=_Compiled(theme.compiled) if theme.compiled else None,
        loader=jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
                jinja2.PrefixLoader(
                    {n: jinja2.FileSystemLoader(str(d)) for n, d in theme.named_template_dirs}
                ),
            ]
        ),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["url"] = _url
    env.globals.update(
        feed_files=SITE_FEEDS,
        feed_types=FEED_TYPES,
        feed_labels=FEED_LABELS,
        topic_feeds=topic_feeds,
    )
    return env


@pass_context
def _url(context: Context, target: str) -> str:
    page: Page = context["page"]
    site: SiteView = context["site"]
    if page.path == "404.html" and site.base_url:
        return site.base_url + target
    return relative_url(page.path, target)


def linker(page: str, site: SiteView) -> Callable[[str], str]:
    """`url()` for the page at `page`, which each page's templates get in place of the
    global one: the same answers without looking the page up in the template context
    at each of a page's fifty links."""
    if page == "404.html" and site.base_url:
        return _AbsoluteUrl(site.base_url)
    return _RelativeUrl(page)


class _RelativeUrl:
    """A page's `url()` (see `linker`)."""

    __slots__ = ("_here", "_name")

    def __init__(self, page: str) -> None:
        self._here = _folder(page)
        self._name = posixpath.basename(page)

    def __call__(self, target: str) -> str:
        path, hash_, fragment = target.partition("#")
        if not path:
            return self._name + hash_ + fragment
        return _relative(self._here, path) + hash_ + fragment


class _AbsoluteUrl:
    """The 404 page's `url()` when the site has a base URL."""

    __slots__ = ("_base",)

    def __init__(self, base: str) -> None:
        self._base = base

    def __call__(self, target: str) -> str:
        return self._base + target


_URLS = frozenset({_RelativeUrl, _AbsoluteUrl})
_PLAIN = frozenset({Macro, *_URLS, types.BuiltinMethodType})
"""Callables that never take a context, environment or evaluation context."""
_FOR_CONTEXT = frozenset({"_block_vars", "_loop_vars"})
"""The keywords Jinja adds to a call inside a block or loop, for a function that takes
the context."""


class _PageContext(Context):
    """The context pages render in: a call of `url()`, a macro or a built-in method
    (`date.isoformat()`) skips Jinja's look, at every call, at the callable's attributes
    for what to pass it (a page has hundreds of such calls: a fifth of its time)."""

    @internalcode
    def call(self, obj: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if type(obj) not in _PLAIN:
            return super().call(obj, *args, **kwargs)
        try:
            if kwargs.keys() <= _FOR_CONTEXT:  # a call with no keyword of its own
                return obj(*args)
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            return obj(*args, **kwargs)
        except StopIteration:
            # As Jinja's own `call` answers it.
            return self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception"
            )


def escaped(value: object) -> str:
    """What `{{ value }}` writes: what Jinja's `escape` gives, without first making
    each string a Markup (a Python call of its own) only to join it into the page."""
    if type(value) is str:
        return _escape_inner(value)
    if type(value) is Markup:
        return value
    return escape(value)


def unescaped(value: object) -> str:
    """What `{{ value|safe }}` writes: the Markup Jinja makes of a string has the
    string's own characters."""
    if type(value) is str:
        return value
    return Markup(value)


class _PageCode(CodeGenerator):
    """Compiles templates as Jinja does but for what a page does most: `{{ value }}`
    writes `escaped(value)` and `{{ value|safe }}` writes `unescaped(value)` (a quarter
    of a page's time went to `escape` and `Markup`), `x.name` reads the attribute in C,
    and `url()` is called directly."""

    _unescaped: nodes.Filter | None = None
    """The `safe` filter being written as `unescaped`."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        names = f"escaped as {_ESCAPED}, unescaped as {_UNESCAPED}, _URLS as {_URL_TYPES}"
        self.writeline(f"from {__name__} import {names}")
        super().visit_Template(node, frame)

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        env = self.environment
        if env.is_async or env.sandboxed or forward_caller or self._foldable(node, frame):
            super().visit_Call(node, frame, forward_caller=forward_caller)
            return
        # The page's url() is called directly, the rest through the context as Jinja
        # does: `(f(args) if type(f := callee) in urls else context.call(f, args))`. The
        # callee is taken before the arguments (which may set the name again) are made.
        self.write("(digest_f(*()")
        self.signature(node, frame)
        self.write(") if type(digest_f := ")
        self.visit(node.node, frame)
        self.write(f") in {_URL_TYPES} else context.call(digest_f")
        extra = {}
        if frame.loop_frame:
            extra["_loop_vars"] = "_loop_vars"
        if getattr(frame, "block_frame", False):  # a flag of newer Jinja's frames
            extra["_block_vars"] = "_block_vars"
        self.signature(node, frame, extra or None)
        self.write("))")

    def visit_Filter(self, node: nodes.Filter, frame: Frame) -> None:
        if node is self._unescaped:
            self._unescaped = None
            assert node.node is not None, "a filter of a value"
            self.visit(node.node, frame)
        else:
            super().visit_Filter(node, frame)

    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:
        env = self.environment
        if env.is_async or env.sandboxed or self._foldable(node, frame):
            super().visit_Getattr(node, frame)
            return
        # getattr(x, name, missing) in C; Jinja's look (an item, else undefined) only
        # when there is no such attribute. The walrus names are free when the outer
        # expression sets them: an inner one is done with them by then.
        self.write("(digest_v if (digest_v := getattr((digest_o := ")
        self.visit(node.node, frame)
        self.write(f"), {node.attr!r}, missing)) is not missing")
        self.write(f" else environment.getattr(digest_o, {node.attr!r}))")

    def _foldable(self, node: nodes.Expr, frame: Frame) -> bool:
        """Whether Jinja's optimizer makes a constant of `node` (see `optimizeconst`)."""
        if self.optimizer is None or frame.eval_ctx.volatile:
            return False
        return bool(self.optimizer.visit(node, frame.eval_ctx) != node)

    def _output_child_pre(
        self, node: nodes.Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo
    ) -> None:
        context = frame.eval_ctx
        if not context.autoescape or context.volatile or finalize.src is not None:
            super()._output_child_pre(node, frame, finalize)
        elif self._plain_safe(node, frame):
            self._unescaped = node  # see visit_Filter
            self.write(f"{_UNESCAPED}(")
        else:
            self.write(f"{_ESCAPED}(")

    def _plain_safe(self, node: nodes.Expr, frame: Frame) -> TypeGuard[nodes.Filter]:
        """Whether `node` is `value|safe`, with Jinja's own `safe`."""
        return (
            isinstance(node, nodes.Filter)
            and node.name == "safe"
            and node.node is not None
            and not (node.args or node.kwargs or node.dyn_args or node.dyn_kwargs)
            and self.environment.filters.get("safe") is do_mark_safe
            and not self._foldable(node, frame)
        )


_ESCAPED = "digest_escaped"
_UNESCAPED = "digest_unescaped"
_URL_TYPES = "digest_urls"
"""Their names in compiled templates (no name Jinja generates)."""


class _Compiled(jinja2.FileSystemBytecodeCache):
    """Templates compiled by an earlier build, which Jinja takes when a template's source
    is the one it compiled (a one-article rebuild of 10,000 compiled three, 0.04 s). The
    files are named by the code that compiled them: a new digest or Jinja compiles
    afresh, and `tidy_compiled` deletes what an older one left. A folder that cannot be
    written only costs the time to compile."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder), f"{_compiled_prefix()}%s.cache")
        self._folder = folder

    def dump_bytecode(self, bucket: Bucket) -> None:
        with suppress(OSError):
            self._folder.mkdir(parents=True, exist_ok=True)  # once a page is rendered
            super().dump_bytecode(bucket)


def tidy_compiled(folder: Path) -> Path:
    """The folder for compiled templates, without the files of other versions of the
    code."""
    with suppress(OSError):
        prefix = _compiled_prefix()
        for old in folder.iterdir():
            if not old.name.startswith(prefix):
                old.unlink(missing_ok=True)
    return folder


def _compiled_prefix() -> str:
    return f"{code_fingerprint()[:16]}-"


class _Environment(jinja2.Environment):
    """Jinja's, with the shortcuts above, which change no byte of any page."""

    context_class = _PageContext
    code_generator_class = _PageCode


def relative_url(from_page: str, target: str) -> str:
    """`target` (relative to the site root) as seen from the page at `from_page`."""
    path, hash_, fragment = target.partition("#")
    if not path:
        return posixpath.basename(from_page) + hash_ + fragment
    return _relative(_folder(from_page), path) + hash_ + fragment


@functools.lru_cache(maxsize=4096)
def _folder(page: str) -> str:
    return posixpath.dirname(page)


@functools.lru_cache(maxsize=65536)
def _relative(here: str, path: str) -> str:
    """`path` relative to the folder `here`, both from the site root. Site paths are
    plain (no `.`, `..` or empty parts), so climbing out of `here` to the shared folders
    is string work; `posixpath.relpath`, which resolves both against the working folder,
    is left for anything else (a template's own odd link)."""
    folders = here.split("/") if here else []
    parts = path.split("/")
    if path.endswith("/") or any(p in ("", ".", "..") for p in (*folders, *parts)):
        result = posixpath.relpath(path, here or ".")
        if path.endswith("/"):
            return "./" if result == "." else result + "/"
        return result
    shared = 0
    while shared < len(folders) and shared < len(parts) - 1 and folders[shared] == parts[shared]:
        shared += 1
    return "../" * (len(folders) - shared) + "/".join(parts[shared:])


def render_page(
    env: jinja2.Environment, page: Page, site: SiteView, values: Mapping[str, object]
) -> bytes:
    """One page's HTML; template problems become one-line errors naming the template."""
    try:
        template = env.get_template(page.template)
        html = template.render(page=page, site=site, url=linker(page.path, site), **values)
    except jinja2.TemplateSyntaxError as exc:
        raise DigestError(f"template error: {exc.message}", exc.filename, exc.lineno) from None
    except jinja2.UndefinedError as exc:
        raise DigestError(f"template error in {page.template}: {exc.message}") from None
    return html.encode("utf-8")


_environments: dict[int, tuple[Theme, jinja2.Environment]] = {}


def page_environment(theme: Theme) -> jinja2.Environment:
    """One Jinja2 environment per theme and process, so templates compile once. Each
    build loads its theme afresh, so an environment never outlives its build's theme
    (it holds it: no later theme can take its `id`), and need not look at the template
    files again (`auto_reload` off: a stat per page otherwise)."""
    found = _environments.get(id(theme))
    if found is None or found[0] is not theme:
        _environments.clear()
        found = _environments[id(theme)] = (theme, environment(theme, auto_reload=False))
    return found[1]


def compile_templates(theme: Theme) -> None:
    """Compile every page template before the workers fork, so they inherit them
    instead of each compiling them again. (In one process, templates compile as pages
    need them.) A cold build does it while the analysis workers run; then this is a
    check that the files did not change."""
    env = page_environment(theme)
    names = env.list_templates(filter_func=lambda name: name.endswith(".html"))
    if len(theme.template_dirs) == 1:
        # Nothing overrides the theme, so nothing has reason to name its templates
        # `"<theme>/<template>"`: the same files compiled again under those names took
        # half of this (0.17 s; one that is used after all compiles when first used).
        named = tuple(f"{name}/" for name, _ in theme.named_template_dirs)
        names = [n for n in names if not n.startswith(named)]
    for name in names:
        # A broken template is reported, with its line, by the page that uses it.
        with suppress(jinja2.TemplateError):
            env.get_template(name)
