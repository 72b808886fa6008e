//! The frame of every page: head, navigation, main content.

use maud::{DOCTYPE, Markup, html};

use super::assets;
use super::session::Viewer;

/// The sections of the portal, for the navigation bar.
const SECTIONS: [(&str, &str); 6] = [
    ("/simulate", "Simulate"),
    ("/jobs", "Jobs"),
    ("/rotations", "Rotations"),
    ("/rankings", "Rankings"),
    ("/nodes", "Nodes"),
    ("/account", "Account"),
];

/// A whole page titled `title` around `content`.
pub fn page(title: &str, viewer: Option<&Viewer>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(v) = viewer {
                    meta name="csrf-token" content=(v.csrf);
                }
                title { (title) " · wowlab" }
                link rel="stylesheet" href=(*assets::CSS_PATH);
                script src=(*assets::JS_PATH) defer {}
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/" { "wowlab" }
                    nav aria-label="Sections" {
                        @for (href, label) in SECTIONS {
                            a href=(href) { (label) }
                        }
                    }
                    @match viewer {
                        Some(v) => form.signout method="post" action="/signout" {
                            input type="hidden" name="csrf" value=(v.csrf);
                            span.who { (v.user.name) }
                            button type="submit" { "Sign out" }
                        },
                        None => a href="/signin" { "Sign in" },
                    }
                }
                main #main { (content) }
            }
        }
    }
}

/// The hidden CSRF field every form of a signed-in page carries.
pub fn csrf_field(viewer: &Viewer) -> Markup {
    html! { input type="hidden" name="csrf" value=(viewer.csrf); }
}
