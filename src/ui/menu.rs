//! Menus (`role="menu"`) as screen readers and keyboards expect them:
//! focus goes to the first item when one opens; arrow keys, Home and End
//! move through the items; Escape closes it and gives focus back to what
//! opened it; Tab closes it and moves on.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

/// What a key pressed in a menu asks of its owner.
pub enum MenuKey {
    /// Close, and give focus back to what opened the menu.
    Close,
    /// Close, and let focus move on (Tab).
    Leave,
    /// Nothing: the menu answered it, or it was not the menu's.
    Handled,
}

/// A menu's items, in order.
fn items(menu: &Element) -> Vec<HtmlElement> {
    let Ok(list) = menu.query_selector_all("[role=menuitem]") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into().ok())
        .collect()
}

/// Puts focus on a menu's first item (when it opens).
pub fn focus_first(menu: &Element) {
    if let Some(first) = items(menu).first() {
        let _ = first.focus();
    }
}

/// Answers a key pressed in `menu`.
pub fn on_key(ev: &KeyboardEvent, menu: &Element) -> MenuKey {
    let items = items(menu);
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    let at = items
        .iter()
        .position(|i| Some(i.unchecked_ref::<Element>()) == active.as_ref());
    let last = items.len().saturating_sub(1);
    let next = match ev.key().as_str() {
        "ArrowDown" | "ArrowRight" => at.map_or(0, |i| if i == last { 0 } else { i + 1 }),
        "ArrowUp" | "ArrowLeft" => at.map_or(last, |i| if i == 0 { last } else { i - 1 }),
        "Home" => 0,
        "End" => last,
        "Escape" => {
            ev.prevent_default();
            ev.stop_propagation();
            return MenuKey::Close;
        }
        // Chosen by the menu itself, the same in every engine (Firefox
        // gives a focused item no click for Enter here).
        "Enter" | " " => {
            ev.prevent_default();
            if let Some(item) = at.and_then(|i| items.get(i)) {
                item.click();
            }
            return MenuKey::Handled;
        }
        "Tab" => return MenuKey::Leave,
        _ => return MenuKey::Handled,
    };
    ev.prevent_default();
    if let Some(item) = items.get(next) {
        let _ = item.focus();
    }
    MenuKey::Handled
}
