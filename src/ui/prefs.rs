//! The person's preferences: the language (the browser's unless chosen)
//! and the theme (the system's unless chosen), kept in localStorage, and
//! the controls that change them: a panel behind the top bar's button and,
//! before signing in, a language select on its own.

use courier_protocol::http::Privacy;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_split_helpers::{SplitLoaderError, wasm_split};

use crate::account::local_storage;
use crate::api;
use crate::i18n::{self, Lang, t};
use crate::state::notify;
use crate::ui::later::on_first_use;

const LANG_KEY: &str = "courier.lang";
const THEME_KEY: &str = "courier.theme";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Follows `prefers-color-scheme`, as the CSS does without `data-theme`.
    System,
    Light,
    Dark,
}

impl Theme {
    const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// The value of `<html data-theme>` and of the stored choice.
    fn tag(self) -> &'static str {
        match self {
            Theme::System => "",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn from_tag(tag: &str) -> Theme {
        match tag {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::System,
        }
    }

    fn label(self) -> String {
        t(match self {
            Theme::System => "theme-system",
            Theme::Light => "theme-light",
            Theme::Dark => "theme-dark",
        })
    }
}

#[derive(Clone, Copy)]
pub struct Prefs {
    /// The language chosen in the preferences; `None` follows the browser.
    pub choice: RwSignal<Option<Lang>>,
    /// The language in effect. The root view tracks it and rebuilds the
    /// tree when it changes; `i18n::t` reads the same language untracked.
    pub lang: RwSignal<Lang>,
    pub theme: RwSignal<Theme>,
    /// Whether the panel is open. It lives here, above the tree, so the
    /// panel stays open when the tree is rebuilt in a new language.
    pub open: RwSignal<bool>,
}

fn stored(key: &str) -> Option<String> {
    local_storage().and_then(|ls| ls.get_item(key).ok().flatten())
}

/// The language chosen in the preferences, if one was.
fn chosen_lang() -> Option<Lang> {
    stored(LANG_KEY).and_then(|tag| Lang::from_tag(&tag))
}

/// The language the app opens in: the one chosen, else the browser's.
pub fn opening_lang() -> Lang {
    chosen_lang().unwrap_or_else(i18n::browser_lang)
}

impl Prefs {
    /// Reads the stored choices and applies them to `<html>`.
    pub fn load() -> Prefs {
        let choice = chosen_lang();
        let lang = choice.unwrap_or_else(i18n::browser_lang);
        let theme = stored(THEME_KEY).map_or(Theme::System, |tag| Theme::from_tag(&tag));
        i18n::set_current(lang);
        apply_theme(theme);
        Prefs {
            choice: RwSignal::new(choice),
            lang: RwSignal::new(lang),
            theme: RwSignal::new(theme),
            open: RwSignal::new(false),
        }
    }

    /// Switches to `choice` (or the browser's language) once its texts are here.
    pub fn set_lang(self, choice: Option<Lang>) {
        spawn_local(async move {
            i18n::load(choice.unwrap_or_else(i18n::browser_lang)).await;
            self.apply_lang(choice);
        });
    }

    fn apply_lang(self, choice: Option<Lang>) {
        if let Some(ls) = local_storage() {
            // Storage can be full or disabled: the choice then lasts the visit.
            let _ = match choice {
                Some(lang) => ls.set_item(LANG_KEY, lang.tag()),
                None => ls.remove_item(LANG_KEY),
            };
        }
        let lang = choice.unwrap_or_else(i18n::browser_lang);
        // The texts' language first, then the signal that rebuilds the tree.
        i18n::set_current(lang);
        self.choice.set(choice);
        if self.lang.get_untracked() != lang {
            self.lang.set(lang);
        }
    }

    pub fn set_theme(self, theme: Theme) {
        if let Some(ls) = local_storage() {
            let _ = match theme {
                Theme::System => ls.remove_item(THEME_KEY),
                _ => ls.set_item(THEME_KEY, theme.tag()),
            };
        }
        apply_theme(theme);
        self.theme.set(theme);
    }
}

fn apply_theme(theme: Theme) {
    let Some(html) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = match theme {
        Theme::System => html.remove_attribute("data-theme"),
        _ => html.set_attribute("data-theme", theme.tag()),
    };
}

pub fn prefs() -> Prefs {
    use_context::<Prefs>().unwrap_or_else(|| {
        leptos::logging::error!("Courier preferences missing");
        Prefs::load()
    })
}

/// The language: the system's default, then each language in its own name.
#[component]
pub fn LanguageSelect() -> impl IntoView {
    let prefs = prefs();
    let chosen = move |lang: Option<Lang>| prefs.choice.get() == lang;
    view! {
        <label class="pref">
            <span>
                // A globe: found by sight by someone who cannot read the label.
                <svg class="globe" viewBox="0 0 24 24" aria-hidden="true">
                    <circle cx="12" cy="12" r="9" />
                    <path d="M3 12h18M12 3c2.5 2.7 3.8 5.7 3.8 9s-1.3 6.3-3.8 9c-2.5-2.7-3.8-5.7-3.8-9S9.5 5.7 12 3z" />
                </svg>
                {t("language")}
            </span>
            <select on:change=move |ev| prefs.set_lang(Lang::from_tag(&event_target_value(&ev)))>
                <option value="" prop:selected=move || chosen(None)>{t("lang-system")}</option>
                {Lang::ALL.into_iter().map(|lang| view! {
                    <option value=lang.tag() lang=lang.tag() prop:selected=move || chosen(Some(lang))>
                        {lang.name()}
                    </option>
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn ThemeSelect() -> impl IntoView {
    let prefs = prefs();
    view! {
        <label class="pref">
            <span>{t("theme")}</span>
            <select on:change=move |ev| prefs.set_theme(Theme::from_tag(&event_target_value(&ev)))>
                {Theme::ALL.into_iter().map(|theme| view! {
                    <option value=theme.tag() prop:selected=move || prefs.theme.get() == theme>
                        {theme.label()}
                    </option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// Whether others see when the user was last online (kept on the server).
#[component]
fn PrivacyToggle() -> impl IntoView {
    let hidden = RwSignal::new(None::<bool>);
    spawn_local(async move {
        if let Ok(Privacy { hide_last_seen }) = api::presence::privacy().await {
            hidden.try_set(Some(hide_last_seen));
        }
    });
    let set = move |ev: leptos::ev::Event| {
        let hide_last_seen = event_target_checked(&ev);
        hidden.set(Some(hide_last_seen));
        spawn_local(async move {
            let _ = api::presence::set_privacy(hide_last_seen).await;
        });
    };
    view! {
        <Show when=move || hidden.get().is_some()>
            <label class="check">
                <input type="checkbox" prop:checked=move || hidden.get() == Some(true) on:change=set />
                {t("hide-last-seen")}
            </label>
        </Show>
    }
}

/// Desktop notifications of new messages (see `notify`).
#[component]
fn NotifyToggle() -> impl IntoView {
    let on = RwSignal::new(notify::enabled());
    let set = move |ev: leptos::ev::Event| {
        let want = event_target_checked(&ev);
        spawn_local(async move {
            on.try_set(notify::set_enabled(want).await);
        });
    };
    view! {
        <label class="check">
            <input type="checkbox" prop:checked=move || on.get() on:change=set />
            {t("notifications")}
        </label>
    }
}

/// The preferences but the language (which the sign-in screen shows too),
/// in the `prefs` part.
#[wasm_split(prefs, fallible)]
fn prefs_rest() -> Result<AnyView, SplitLoaderError> {
    Ok(view! {
        <ThemeSelect />
        <PrivacyToggle />
        <NotifyToggle />
        <super::devices::DevicesBox />
    }
    .into_any())
}

/// The top bar's button and, while open, the panel under it.
#[component]
pub fn PrefsButton() -> impl IntoView {
    let prefs = prefs();
    let label = t("preferences");
    let button = NodeRef::<leptos::html::Button>::new();
    // Closed by Escape, focus goes back to the button.
    let close = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            if let Some(b) = button.get_untracked() {
                let _ = b.focus();
            }
            prefs.open.set(false);
        }
    };
    view! {
        <button
            class="icon"
            node_ref=button
            aria-label=label.clone()
            title=label
            aria-expanded=move || prefs.open.get().to_string()
            aria-controls="prefs"
            on:click=move |_| prefs.open.update(|o| *o = !*o)
        >
            "⚙"
        </button>
        <Show when=move || prefs.open.get()>
            <super::popover::Shade close=Callback::new(move |()| prefs.open.set(false)) />
            <div id="prefs" class="prefs" role="dialog" aria-label=t("preferences") on:keydown=close>
                <LanguageSelect />
                {on_first_use(prefs_rest())}
                <button type="button" class="link" on:click=move |_| prefs.open.set(false)>{t("close")}</button>
            </div>
        </Show>
    }
}
