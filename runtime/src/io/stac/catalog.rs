//! Static catalogs: a catalog or collection opened from a path or URL, whose children
//! and items are read by following its links (relative or absolute) when asked for.

use std::fmt::Write as _;

use serde_json::{Map, Value};
use stac::{Links, SelfHref};

use super::ItemCollection;
use super::fetch::{absolute, read_json, resolve};
use super::migrate::to_latest;
use crate::Error;
use crate::display::html::escape;
use crate::display::{MimeBundle, Repr};

/// A STAC catalog or collection, migrated to STAC 1.1.0, with the href it was read from.
#[derive(Debug, Clone)]
pub struct Catalog {
    href: String,
    version: String,
    node: Node,
}

#[derive(Debug, Clone)]
enum Node {
    Catalog(Box<stac::Catalog>),
    Collection(Box<stac::Collection>),
}

/// Opens the catalog or collection at `href` (a path, or a `file://`, `http(s)://`,
/// `s3://`, `gs://` or `az://` URL). Its children and items are read when asked for.
///
/// ```
/// use rangeo::prelude::*;
/// # let dir = tempfile::tempdir()?;
/// # let href = dir.path().join("catalog.json");
/// # std::fs::write(&href, r#"{"type": "Catalog", "stac_version": "1.0.0", "id": "demo",
/// #     "description": "A demo", "links": []}"#)?;
/// let catalog = open_catalog(&href.to_string_lossy())?;
/// assert_eq!(catalog.id(), "demo");
/// assert!(catalog.children()?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open_catalog(href: &str) -> Result<Catalog, Error> {
    Catalog::read(&absolute(href))
}

impl Catalog {
    fn read(href: &str) -> Result<Self, Error> {
        let (value, version) = to_latest(read_json(href)?, href)?;
        let node = match value {
            stac::Value::Catalog(catalog) => Node::Catalog(Box::new(catalog)),
            stac::Value::Collection(collection) => Node::Collection(Box::new(collection)),
            other => {
                return Err(Error::Stac(format!(
                    "{href} is a STAC {}, not a catalog or collection",
                    other.type_name()
                )));
            }
        };
        Ok(Self {
            href: href.to_owned(),
            version,
            node,
        })
    }

    /// The catalog's id.
    #[must_use]
    pub fn id(&self) -> &str {
        match &self.node {
            Node::Catalog(c) => &c.id,
            Node::Collection(c) => &c.id,
        }
    }

    /// `"Catalog"` or `"Collection"`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self.node {
            Node::Catalog(_) => "Catalog",
            Node::Collection(_) => "Collection",
        }
    }

    /// Where the catalog was read from.
    #[must_use]
    pub fn href(&self) -> &str {
        &self.href
    }

    /// The STAC version the file was written in (it is read as 1.1.0).
    #[must_use]
    pub fn stac_version(&self) -> &str {
        &self.version
    }

    /// The title, if the catalog has one.
    #[must_use]
    pub fn title(&self) -> Option<&str> {
        match &self.node {
            Node::Catalog(c) => c.title.as_deref(),
            Node::Collection(c) => c.title.as_deref(),
        }
    }

    /// The description.
    #[must_use]
    pub fn description(&self) -> &str {
        match &self.node {
            Node::Catalog(c) => &c.description,
            Node::Collection(c) => &c.description,
        }
    }

    /// The collection, when this is one (extent, license, providers, summaries).
    #[must_use]
    pub fn collection(&self) -> Option<&stac::Collection> {
        match &self.node {
            Node::Collection(c) => Some(c),
            Node::Catalog(_) => None,
        }
    }

    fn links(&self) -> &[stac::Link] {
        match &self.node {
            Node::Catalog(c) => c.links(),
            Node::Collection(c) => c.links(),
        }
    }

    /// The hrefs of the links with relation `rel`, resolved against this catalog.
    fn linked(&self, rel: &str) -> Result<Vec<String>, Error> {
        self.links()
            .iter()
            .filter(|link| link.rel == rel)
            .map(|link| resolve(&link.href, &self.href))
            .collect()
    }

    /// The child catalogs and collections, in the order of the links.
    pub fn children(&self) -> Result<Vec<Catalog>, Error> {
        self.linked("child")?
            .iter()
            .map(|href| Catalog::read(href))
            .collect()
    }

    /// The child with this id.
    pub fn child(&self, id: &str) -> Result<Catalog, Error> {
        let children = self.children()?;
        let ids: Vec<&str> = children.iter().map(Catalog::id).collect();
        let message = format!(
            "{} has no child `{id}`; its children are {}",
            self.id(),
            if ids.is_empty() {
                "none".to_owned()
            } else {
                ids.join(", ")
            }
        );
        children
            .into_iter()
            .find(|c| c.id() == id)
            .ok_or(Error::Stac(message))
    }

    /// This catalog's own items (not its children's), with asset hrefs made absolute.
    pub fn items(&self) -> Result<ItemCollection, Error> {
        let features = self
            .linked("item")?
            .iter()
            .map(|href| read_item(href))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ItemCollection::new(features))
    }

    /// This catalog and every catalog and collection below it, parents before children.
    pub fn walk(&self) -> Result<Vec<Catalog>, Error> {
        let mut all = vec![self.clone()];
        let mut next = 0;
        while next < all.len() {
            let children = all[next].children()?;
            let rest = all.split_off(next + 1);
            all.extend(children);
            all.extend(rest);
            next += 1;
        }
        Ok(all)
    }

    /// The items of this catalog and of every catalog below it, in walk order.
    pub fn all_items(&self) -> Result<ItemCollection, Error> {
        let mut features = Vec::new();
        for catalog in self.walk()? {
            features.extend(catalog.items()?.into_features());
        }
        Ok(ItemCollection::new(features))
    }

    /// The collections below this catalog (this one too, when it is a collection).
    pub fn collections(&self) -> Result<Vec<Catalog>, Error> {
        Ok(self
            .walk()?
            .into_iter()
            .filter(|c| c.collection().is_some())
            .collect())
    }
}

/// The item at `href`, migrated, with its asset hrefs made absolute and a self link.
fn read_item(href: &str) -> Result<Map<String, Value>, Error> {
    let (value, _) = to_latest(read_json(href)?, href)?;
    let stac::Value::Item(mut item) = value else {
        return Err(Error::Stac(format!(
            "{href} is linked as an item but is a STAC {}",
            value.type_name()
        )));
    };
    for asset in item.assets.values_mut() {
        asset.href = resolve(&asset.href, href)?;
    }
    item.set_self_href(href);
    item.set_link(stac::Link::self_(href).json());
    match serde_json::to_value(item) {
        Ok(Value::Object(feature)) => Ok(feature),
        _ => Err(Error::Stac(format!(
            "cannot represent the item {href} as JSON"
        ))),
    }
}

impl Repr for Catalog {
    fn repr(&self) -> MimeBundle {
        let mut plain = format!("<{} id={}>", self.kind(), self.id());
        let mut html = format!(
            "<div><b>{}</b> <code>{}</code>",
            self.kind(),
            escape(self.id())
        );
        if let Some(title) = self.title() {
            let _ = write!(plain, " {title}");
            let _ = write!(html, " {}", escape(title));
        }
        let children = self.links().iter().filter(|l| l.rel == "child").count();
        let items = self.links().iter().filter(|l| l.rel == "item").count();
        let _ = write!(
            plain,
            "\n  href: {}\n  STAC {} · {children} children · {items} items",
            self.href, self.version
        );
        let _ = write!(
            html,
            "<br><small>{} · STAC {} · {children} children · {items} items</small>",
            escape(&self.href),
            escape(&self.version)
        );
        if let Some(collection) = self.collection() {
            for bbox in &collection.extent.spatial.bbox {
                let _ = write!(plain, "\n  bbox: {}", bbox_text(bbox));
                let _ = write!(html, "<br>bbox: {}", bbox_text(bbox));
            }
            for [start, end] in &collection.extent.temporal.interval {
                let start = start.map_or("..".to_owned(), |t| t.to_rfc3339());
                let end = end.map_or("..".to_owned(), |t| t.to_rfc3339());
                let _ = write!(plain, "\n  interval: {start}/{end}");
                let _ = write!(html, "<br>interval: {start}/{end}");
            }
        }
        html.push_str("</div>");
        MimeBundle::text(plain).with("text/html", html)
    }
}

fn bbox_text(bbox: &stac::Bbox) -> String {
    let values: Vec<f64> = (*bbox).into();
    let parts: Vec<String> = values.iter().map(|v| format!("{v}")).collect();
    format!("[{}]", parts.join(", "))
}
