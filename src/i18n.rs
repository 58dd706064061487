//! Every sentence the app shows, in five languages, through Project Fluent.
//!
//! The texts live in `locales/<tag>.ftl`. English is built into the app;
//! another language is fetched (`/locales/<tag>.ftl`, which the service
//! worker keeps for offline starts) before it is first shown, so the first
//! load carries one language. A bundle per language is parsed the first
//! time it is needed. [`t`] and
//! [`t_with`] format a message in the current language, fall back to
//! English when a translation lacks the key, and to the key itself when
//! English lacks it too. The current language is a plain cell read
//! untracked: the app's root view tracks the language signal and rebuilds
//! the whole tree when it changes (see `ui::prefs`).

use crate::case;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use courier_protocol::{CallEnd, Content, ErrorCode, MediaKind, Message};
use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use unic_langid::langid;

use crate::api::ApiFail;

/// The languages the app speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ru,
    Fr,
    Ar,
    Pt,
}

impl Lang {
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Ru, Lang::Fr, Lang::Ar, Lang::Pt];

    /// The BCP 47 tag, also the name of its `.ftl` file.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Fr => "fr",
            Lang::Ar => "ar",
            Lang::Pt => "pt",
        }
    }

    /// The language's name in itself, as a person looking for it knows it.
    pub fn name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ru => "Русский",
            Lang::Fr => "Français",
            Lang::Ar => "العربية",
            Lang::Pt => "Português",
        }
    }

    /// The writing direction, for `<html dir>`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            _ => "ltr",
        }
    }

    /// The language of a tag such as `pt-BR` or `ar`, by its primary subtag.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.tag() == primary)
    }

    fn index(self) -> usize {
        self as usize
    }

    /// The language's texts, if they are here: English always, another once
    /// [`load`]ed.
    fn source(self) -> Option<Rc<str>> {
        match self {
            Lang::En => Some(Rc::from(ENGLISH)),
            _ => SOURCES.with(|s| s.borrow()[self.index()].clone()),
        }
    }

    fn bundle(self) -> Option<Bundle> {
        let source = self.source()?;
        let id = match self {
            Lang::En => langid!("en"),
            Lang::Ru => langid!("ru"),
            Lang::Fr => langid!("fr"),
            Lang::Ar => langid!("ar"),
            Lang::Pt => langid!("pt"),
        };
        let mut bundle = FluentBundle::new(vec![id]);
        // Fluent would wrap every placeable in Unicode isolation marks;
        // they would end up in numbers ("2 members") and in text people
        // and tests compare. Names get them where they matter, in
        // right-to-left text: see `t_with`.
        bundle.set_use_isolating(false);
        // A syntax error loses only the broken entry; the rest still parses.
        let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, e)| {
            leptos::logging::warn!("{}.ftl: {e:?}", self.tag());
            r
        });
        if let Err(e) = bundle.add_resource(resource) {
            leptos::logging::warn!("{}.ftl: {e:?}", self.tag());
        }
        Some(Rc::new(bundle))
    }
}

type Bundle = Rc<FluentBundle<FluentResource>>;

const ENGLISH: &str = include_str!("../locales/en.ftl");

thread_local! {
    // The app's wasm is single threaded: one set of bundles, built lazily.
    static BUNDLES: RefCell<[Option<Bundle>; 5]> = const { RefCell::new([None, None, None, None, None]) };
    // The texts of the languages fetched so far (English is built in).
    static SOURCES: RefCell<[Option<Rc<str>>; 5]> = const { RefCell::new([None, None, None, None, None]) };
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// Fetches `lang`'s texts unless they are here. Until they come, or if they
/// cannot (offline, never fetched before), its texts fall back to English.
pub async fn load(lang: Lang) {
    if lang.source().is_some() {
        return;
    }
    let url = format!("/locales/{}.ftl", lang.tag());
    let Ok(resp) = gloo_net::http::Request::get(&url).send().await else {
        return;
    };
    if !resp.ok() {
        return;
    }
    if let Ok(text) = resp.text().await {
        SOURCES.with(|s| s.borrow_mut()[lang.index()] = Some(text.into()));
    }
}

/// The language texts are formatted in now.
pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

/// Switches the texts' language and `<html lang dir>`. Whoever calls this
/// also moves the signal the root view tracks, so the tree is rebuilt.
pub fn set_current(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
    if let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = html.set_attribute("lang", lang.tag());
        let _ = html.set_attribute("dir", lang.dir());
    }
}

/// The browser's preferred language among ours (`navigator.languages`, in
/// order), or English.
pub fn browser_lang() -> Lang {
    let Some(nav) = web_sys::window().map(|w| w.navigator()) else {
        return Lang::En;
    };
    let mut tags: Vec<String> = nav
        .languages()
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    if let Some(one) = nav.language() {
        tags.push(one);
    }
    tags.iter()
        .find_map(|t| Lang::from_tag(t))
        .unwrap_or(Lang::En)
}

fn bundle_of(lang: Lang) -> Option<Bundle> {
    BUNDLES.with(|b| {
        let mut bundles = b.borrow_mut();
        let slot = &mut bundles[lang.index()];
        if slot.is_none() {
            *slot = lang.bundle();
        }
        slot.clone()
    })
}

fn format_in(lang: Lang, key: &str, args: Option<&FluentArgs>) -> Option<String> {
    let bundle = bundle_of(lang)?;
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    let text = bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned();
    if !errors.is_empty() {
        leptos::logging::warn!("{}: {key}: {errors:?}", lang.tag());
    }
    Some(text)
}

/// The message `key` in the current language, else in English, else `None`.
pub fn lookup(key: &str, args: Option<&FluentArgs>) -> Option<String> {
    let lang = current();
    format_in(lang, key, args).or_else(|| {
        if lang != Lang::En {
            format_in(Lang::En, key, args)
        } else {
            None
        }
    })
}

/// The message `key`, untracked, in the current language.
pub fn t(key: &str) -> String {
    lookup(key, None).unwrap_or_else(|| key.to_string())
}

/// The message `key` with arguments: `t_with("members", &[("n", 3.into())])`.
/// In right-to-left text each string argument (a name, a message) is
/// wrapped in first-strong isolation marks so a left-to-right name cannot
/// reorder the sentence around it.
pub fn t_with(key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    format_args(key, args, current().dir() == "rtl")
}

/// [`t_with`] without isolation marks, for a line whose element has
/// `dir="auto"` and should take its direction from what people wrote (a
/// chat's preview): isolated text is skipped when the browser looks for
/// the first strong character.
pub fn t_with_raw(key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    format_args(key, args, false)
}

fn format_args(key: &str, args: &[(&str, FluentValue<'_>)], rtl: bool) -> String {
    let mut fluent = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        match value {
            FluentValue::String(s) if rtl => {
                fluent.set(*name, FluentValue::from(format!("\u{2068}{s}\u{2069}")));
            }
            v => fluent.set(*name, v.clone()),
        }
    }
    lookup(key, Some(&fluent)).unwrap_or_else(|| key.to_string())
}

/// A person-facing sentence for an error code: `error-<wire name>`.
pub fn error_text(code: ErrorCode) -> String {
    let key = format!("error-{}", code.as_str().replace('_', "-"));
    // A code newer than the locale files still says something sensible.
    lookup(&key, None).unwrap_or_else(|| upper_first(&code.to_string()))
}

/// A message's words for a preview or a notice: its text or caption, or
/// what it carries ("Photo", "File: report.pdf").
pub fn gist(m: &Message) -> String {
    let words = m.text();
    if !words.is_empty() {
        return words.to_string();
    }
    m.content.as_ref().map(content_gist).unwrap_or_default()
}

/// What a message without words carries, in a few words ("Photo").
pub fn content_gist(content: &Content) -> String {
    match content {
        Content::Media { items, .. } => match items.as_slice() {
            [one] => match one.kind {
                MediaKind::Photo => t("media-photo"),
                MediaKind::Video => t("media-video"),
                MediaKind::Audio | MediaKind::File => {
                    t_with_raw("media-file", &[("name", one.name.clone().into())])
                }
            },
            _ => t("media-album"),
        },
        Content::Voice { .. } => t("media-voice"),
        Content::RoundVideo { .. } => t("round-video"),
        Content::Call {
            video,
            end,
            duration_ms,
        } => match end {
            CallEnd::Hangup => {
                let key = if *video { "call-video" } else { "call-voice" };
                t_with(key, &[("duration", clock(*duration_ms).into())])
            }
            CallEnd::Missed => t("call-missed"),
            CallEnd::Declined => t("call-declined"),
            CallEnd::Busy => t("call-busy"),
            CallEnd::Cancelled => t("call-cancelled"),
        },
        _ => String::new(),
    }
}

/// A length of time as a clock shows it: `m:ss`.
pub fn clock(ms: u32) -> String {
    let s = ms / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

/// A person-facing sentence for a failed call.
pub fn say(fail: ApiFail) -> String {
    match fail {
        ApiFail::Code(code) => error_text(code),
        ApiFail::Network => t("error-network"),
    }
}

fn upper_first(text: &str) -> String {
    case::first_letter(text, case::upper)
}

/// The sentence with its first letter in lower case, to follow a colon.
pub fn lower_first(text: &str) -> String {
    case::first_letter(text, case::lower)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_match_by_primary_subtag() {
        assert_eq!(Lang::from_tag("pt-BR"), Some(Lang::Pt));
        assert_eq!(Lang::from_tag("AR"), Some(Lang::Ar));
        assert_eq!(Lang::from_tag("de-DE"), None);
    }
}
