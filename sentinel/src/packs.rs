//! The spec packs the portal offers, each with a starting rotation. The
//! reference pack (Beast Mastery hunter) is built into the binary.

use wowlab_engine::spec::SpecPack;

/// A spec pack players can simulate from the portal.
#[derive(Debug, Clone)]
pub struct Pack {
    /// Short name used in URLs and forms, e.g. `bm_hunter`.
    pub slug: String,
    /// The pack.
    pub spec: SpecPack,
    /// The rotation a new simulation starts from.
    pub starter_rotation: String,
}

/// The built-in packs.
pub fn builtin() -> Vec<Pack> {
    let spec = wowlab::spec_file::parse(include_str!("../../examples/specs/bm_hunter.toml"), false)
        .expect("the reference spec pack parses");
    vec![Pack {
        slug: "bm_hunter".into(),
        spec,
        starter_rotation: include_str!("../../examples/rotations/bm_hunter.rhai").into(),
    }]
}

/// The pack with this slug.
pub fn find<'a>(packs: &'a [Pack], slug: &str) -> Option<&'a Pack> {
    packs.iter().find(|p| p.slug == slug)
}
