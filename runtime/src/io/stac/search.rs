//! STAC API item search, as pystac-client does it: the same parameters, formatted the
//! same way, sent by POST (or GET), and the `next` links followed in every dialect servers
//! use (GET with a token or an offset in the href; POST with a body that replaces the
//! last one or, with `merge`, is merged into it). Pages are fetched lazily and kept: a
//! page that fails loses none of the pages before it, and asking again resumes there.

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value, json};

use super::ItemCollection;
use super::datetime::interval;
use crate::Error;
use crate::display::html::escape;
use crate::display::{MimeBundle, Repr};
use crate::io::store::block_on;

/// A STAC API, opened from its landing page.
///
/// ```no_run
/// use rangeo::prelude::*;
/// let client = Client::open("http://127.0.0.1:7822")?;
/// let search = client.search(
///     Search::new()
///         .collections(["sentinel-2-l2a"])
///         .bbox([-5.0, 42.0, 8.0, 51.0])
///         .datetime("2019-01-01/2019-06-04")
///         .max_items(100),
/// )?;
/// let items = search.item_collection()?;
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    url: String,
    search_url: String,
    conforms_to: Vec<String>,
    http: reqwest::Client,
}

/// Requests as `next` links describe them.
#[derive(Debug, Clone, PartialEq)]
struct Request {
    method: reqwest::Method,
    url: String,
    /// The JSON body of a POST, or the query of a GET.
    params: Map<String, Value>,
    headers: Vec<(String, String)>,
}

impl Client {
    /// Opens the API whose landing page is at `url` (read, with its conformance classes).
    pub fn open(url: &str) -> Result<Client, Error> {
        let http = reqwest::Client::builder()
            .user_agent(format!("rangeo/{}", crate::VERSION))
            .build()
            .map_err(|e| Error::Stac(format!("cannot make an HTTP client: {e}")))?;
        let mut client = Client {
            url: url.trim_end_matches('/').to_owned(),
            search_url: String::new(),
            conforms_to: Vec::new(),
            http,
        };
        let landing = client.send(&Request::get(url))?;
        let links = landing.get("links").and_then(Value::as_array);
        let search_link = links
            .into_iter()
            .flatten()
            .find(|l| l.get("rel").and_then(Value::as_str) == Some("search"))
            .and_then(|l| l.get("href").and_then(Value::as_str));
        client.search_url = match search_link {
            Some(href) => join(&format!("{}/", client.url), href)?,
            None => format!("{}/search", client.url),
        };
        let declared = if landing.contains_key("conformsTo") {
            landing
        } else {
            client.send(&Request::get(&format!("{}/conformance", client.url)))?
        };
        client.conforms_to = declared
            .get("conformsTo")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect();
        Ok(client)
    }

    /// The landing page's URL.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The conformance classes the API declares.
    #[must_use]
    pub fn conforms_to(&self) -> &[String] {
        &self.conforms_to
    }

    /// The API's collections, every page of them.
    pub fn collections(&self) -> Result<Vec<stac::Collection>, Error> {
        let mut collections = Vec::new();
        let mut request = Some(Request::get(&format!("{}/collections", self.url)));
        while let Some(current) = request {
            let page = self.send(&current)?;
            let Some(Value::Array(found)) = page.get("collections") else {
                return Err(Error::Stac(format!(
                    "{} answered without a `collections` array",
                    current.url
                )));
            };
            if found.is_empty() {
                break;
            }
            for collection in found {
                collections.push(serde_json::from_value(collection.clone()).map_err(|e| {
                    Error::Stac(format!(
                        "{} sent a collection that is not valid: {e}",
                        current.url
                    ))
                })?);
            }
            request = next_request(&page, &current)?;
        }
        Ok(collections)
    }

    /// The collection `id`; an unknown id is an error that lists the known ones.
    pub fn collection(&self, id: &str) -> Result<stac::Collection, Error> {
        let url = format!("{}/collections/{id}", self.url);
        match self.send(&Request::get(&url)) {
            Ok(value) => serde_json::from_value(Value::Object(value))
                .map_err(|e| Error::Stac(format!("{url} is not a valid collection: {e}"))),
            Err(Error::Stac(message)) if message.contains(" 404 ") => {
                let known = match self.collections() {
                    Ok(cs) if cs.is_empty() => "it has none".to_owned(),
                    Ok(cs) => format!(
                        "its collections are {}",
                        cs.into_iter().map(|c| c.id).collect::<Vec<_>>().join(", ")
                    ),
                    Err(_) => format!("{message}; its collections could not be listed"),
                };
                Err(Error::Stac(format!(
                    "the STAC API at {} has no collection `{id}`: {known}",
                    self.url
                )))
            }
            Err(e) => Err(e),
        }
    }

    /// A search with these parameters. Nothing is fetched until pages or items are
    /// asked for; a parameter that cannot be used is an error here.
    pub fn search(&self, search: Search) -> Result<ItemSearch, Error> {
        if let Some(error) = search.error {
            return Err(Error::Stac(error));
        }
        if !self.conforms("item-search") {
            return Err(Error::Stac(format!(
                "the STAC API at {} does not declare item search (STAC API - Item Search) \
                 among its conformance classes",
                self.url
            )));
        }
        let mut params = search.params;
        if let (Some(max), Some(Value::Number(limit))) = (search.max_items, params.get("limit")) {
            let limit = limit.as_u64().unwrap_or(u64::MAX).min(max as u64);
            params.insert("limit".into(), limit.into());
        }
        let first = if search.get {
            Request {
                method: reqwest::Method::GET,
                url: self.search_url.clone(),
                params: get_params(params),
                headers: Vec::new(),
            }
        } else {
            Request {
                method: reqwest::Method::POST,
                url: self.search_url.clone(),
                params,
                headers: Vec::new(),
            }
        };
        Ok(ItemSearch {
            client: self.clone(),
            first: first.clone(),
            max_items: search.max_items,
            state: Arc::new(Mutex::new(State {
                pages: Vec::new(),
                next: Some(first),
            })),
        })
    }

    fn conforms(&self, class: &str) -> bool {
        self.conforms_to.iter().any(|c| {
            c.starts_with("https://api.stacspec.org/") && c.ends_with(&format!("/{class}"))
        })
    }

    /// The JSON object the API answers `request` with, or an error naming the URL and
    /// saying what the server said.
    fn send(&self, request: &Request) -> Result<Map<String, Value>, Error> {
        let mut builder = if request.method == reqwest::Method::POST {
            self.http.post(&request.url).json(&request.params)
        } else {
            let query: Vec<(String, String)> = request
                .params
                .iter()
                .map(|(k, v)| (k.clone(), query_value(v)))
                .collect();
            self.http.get(&request.url).query(&query)
        };
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        let url = &request.url;
        let (status, body) = block_on(async {
            let response = builder.send().await?;
            let status = response.status();
            Ok::<_, reqwest::Error>((status, response.bytes().await?))
        })
        .map_err(|e| Error::Stac(format!("cannot reach the STAC API at {url}: {}", chain(&e))))?;
        if !status.is_success() {
            return Err(Error::Stac(format!(
                "{} {url} answered {status}: {}",
                request.method,
                server_message(&body)
            )));
        }
        match serde_json::from_slice(&body) {
            Ok(Value::Object(object)) => Ok(object),
            Ok(_) => Err(Error::Stac(format!(
                "{url} answered with JSON that is not an object"
            ))),
            Err(e) => Err(Error::Stac(format!(
                "{url} answered with invalid JSON: {e}"
            ))),
        }
    }
}

impl Request {
    fn get(url: &str) -> Self {
        Request {
            method: reqwest::Method::GET,
            url: url.to_owned(),
            params: Map::new(),
            headers: Vec::new(),
        }
    }
}

/// An error and its causes, as one line (reqwest's own message omits them).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let _ = write!(text, ": {cause}");
        source = cause.source();
    }
    text
}

/// What an error response says: the `description`, `detail` or `message` of a JSON
/// body (the fields of the STAC API spec and of common servers), or its text.
fn server_message(body: &[u8]) -> String {
    if let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) {
        for field in ["description", "detail", "message", "title"] {
            match object.get(field) {
                Some(Value::String(text)) => return text.clone(),
                Some(other @ (Value::Array(_) | Value::Object(_))) => return other.to_string(),
                _ => {}
            }
        }
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        "(no message)".to_owned()
    } else {
        text.chars().take(500).collect()
    }
}

/// `href` resolved against the URL `base`, as a browser resolves a link.
fn join(base: &str, href: &str) -> Result<String, Error> {
    url::Url::parse(base)
        .and_then(|base| base.join(href))
        .map(String::from)
        .map_err(|e| {
            Error::Stac(format!(
                "cannot resolve the link {href} against {base}: {e}"
            ))
        })
}

/// A query-string value: strings as they are, anything else as JSON.
fn query_value(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A POST body's parameters as pystac-client sends them by GET.
fn get_params(params: Map<String, Value>) -> Map<String, Value> {
    let joined = |values: &Value| match values {
        Value::Array(values) => values.iter().map(query_value).collect::<Vec<_>>().join(","),
        other => query_value(other),
    };
    params
        .into_iter()
        .map(|(key, value)| {
            let text = match key.as_str() {
                "bbox" | "ids" | "collections" => joined(&value),
                "sortby" => value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| {
                        let sign = if s["direction"] == "desc" { "-" } else { "+" };
                        format!("{sign}{}", query_value(&s["field"]))
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                "fields" => {
                    let part = |name: &str, sign: &str| {
                        value[name]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|f| format!("{sign}{}", query_value(f)))
                            .collect::<Vec<_>>()
                    };
                    [part("include", "+"), part("exclude", "-")]
                        .concat()
                        .join(",")
                }
                _ => query_value(&value),
            };
            (key, Value::String(text))
        })
        .collect()
}

/// The request for the page after `page` (fetched by `request`), from its `next` link.
fn next_request(page: &Map<String, Value>, request: &Request) -> Result<Option<Request>, Error> {
    let Some(link) = page
        .get("links")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|l| l.get("rel").and_then(Value::as_str) == Some("next"))
    else {
        return Ok(None);
    };
    let href = link.get("href").and_then(Value::as_str).ok_or_else(|| {
        Error::Stac(format!(
            "{} sent a `next` link without an href",
            request.url
        ))
    })?;
    let method = match link.get("method").and_then(Value::as_str) {
        Some(m) if m.eq_ignore_ascii_case("POST") => reqwest::Method::POST,
        _ => reqwest::Method::GET,
    };
    let body = link
        .get("body")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let params = if method == reqwest::Method::POST {
        if link.get("merge").and_then(Value::as_bool) == Some(true) {
            let mut merged = request.params.clone();
            merged.extend(body);
            merged
        } else {
            body
        }
    } else {
        // The href carries the query.
        Map::new()
    };
    let headers = link
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), query_value(v)))
        .collect();
    Ok(Some(Request {
        method,
        url: join(&request.url, href)?,
        params,
        headers,
    }))
}

/// The parameters of an item search, named and formatted as pystac-client's.
///
/// ```
/// use rangeo::prelude::*;
/// let search = Search::new()
///     .collections(["sentinel-2-l2a"])
///     .bbox([-5.0, 42.0, 8.0, 51.0])
///     .datetime("2019-01-01/2019-06-04")
///     .filter("eo:cloud_cover < 20")
///     .sortby("-properties.datetime")
///     .max_items(50);
/// assert_eq!(
///     search.body()?["datetime"],
///     "2019-01-01T00:00:00Z/2019-06-04T23:59:59Z"
/// );
/// # Ok::<(), rangeo::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Search {
    params: Map<String, Value>,
    max_items: Option<usize>,
    get: bool,
    /// Why the first parameter that could not be used was refused, reported by
    /// `Client::search`.
    error: Option<String>,
}

impl Search {
    /// A search for every item.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn set(mut self, key: &str, value: Result<Value, Error>) -> Self {
        match value {
            Ok(value) => {
                self.params.insert(key.to_owned(), value);
            }
            Err(e) => {
                self.error.get_or_insert(e.to_string());
            }
        }
        self
    }

    /// Items of these collections.
    #[must_use]
    pub fn collections<S: AsRef<str>>(self, ids: impl IntoIterator<Item = S>) -> Self {
        let ids: Vec<Value> = ids.into_iter().map(|s| s.as_ref().into()).collect();
        self.set("collections", Ok(ids.into()))
    }

    /// Items with these ids.
    #[must_use]
    pub fn ids<S: AsRef<str>>(self, ids: impl IntoIterator<Item = S>) -> Self {
        let ids: Vec<Value> = ids.into_iter().map(|s| s.as_ref().into()).collect();
        self.set("ids", Ok(ids.into()))
    }

    /// Items intersecting `[west, south, east, north]` (longitude and latitude).
    #[must_use]
    pub fn bbox(self, bbox: [f64; 4]) -> Self {
        let valid = bbox[1] <= bbox[3] && bbox.iter().all(|v| v.is_finite());
        let value = if valid {
            Ok(json!(bbox))
        } else {
            Err(Error::Stac(format!(
                "bbox {bbox:?}: expected finite [west, south, east, north] with south <= north"
            )))
        };
        self.set("bbox", value)
    }

    /// Items intersecting a GeoJSON geometry (a JSON text or value).
    #[must_use]
    pub fn intersects(self, geometry: impl Into<GeoJson>) -> Self {
        let value = match geometry.into().0 {
            Ok(Value::Object(g)) if g.contains_key("type") => Ok(Value::Object(g)),
            Ok(other) => Err(Error::Stac(format!(
                "intersects: {other} is not a GeoJSON geometry"
            ))),
            Err(e) => Err(Error::Stac(format!("intersects: not valid JSON: {e}"))),
        };
        self.set("intersects", value)
    }

    /// Items whose datetime (or start/end interval) meets this instant or interval:
    /// `2019`, `2019-06`, `2019-01-01/2019-06-04`, `../2020-01-01T12:00:00Z`. A date
    /// stands for the whole year, month or day.
    #[must_use]
    pub fn datetime(self, datetime: &str) -> Self {
        self.set("datetime", interval(datetime).map(Value::from))
    }

    /// Items whose properties meet this query (the Query extension), a JSON object
    /// such as `{"eo:cloud_cover": {"lt": 20}}`.
    #[must_use]
    pub fn query(self, query: impl Into<GeoJson>) -> Self {
        let value = match query.into().0 {
            Ok(Value::Object(q)) => Ok(Value::Object(q)),
            Ok(other) => Err(Error::Stac(format!("query: {other} is not a JSON object"))),
            Err(e) => Err(Error::Stac(format!("query: not valid JSON: {e}"))),
        };
        self.set("query", value)
    }

    /// Items that pass a CQL2 filter: a text expression (`eo:cloud_cover < 20`) is sent
    /// as `cql2-text`, a JSON one (`{"op": "<", ...}`) as `cql2-json`.
    #[must_use]
    pub fn filter(self, filter: &str) -> Self {
        let trimmed = filter.trim_start();
        if trimmed.starts_with('{') {
            let value = serde_json::from_str::<Value>(trimmed)
                .map_err(|e| Error::Stac(format!("filter: not valid CQL2 JSON: {e}")));
            self.set("filter", value)
                .set("filter-lang", Ok("cql2-json".into()))
        } else {
            self.set("filter", Ok(filter.into()))
                .set("filter-lang", Ok("cql2-text".into()))
        }
    }

    /// The order of the results: comma-separated fields, `-` for descending
    /// (`-properties.datetime,+id`).
    #[must_use]
    pub fn sortby(self, fields: &str) -> Self {
        let sortby: Vec<Value> = fields
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(|f| match f.strip_prefix('-') {
                Some(field) => json!({"field": field, "direction": "desc"}),
                None => json!({"field": f.trim_start_matches('+'), "direction": "asc"}),
            })
            .collect();
        self.set("sortby", Ok(sortby.into()))
    }

    /// The fields of the items to return: comma-separated, `-` to exclude
    /// (`id,properties.datetime,-assets`).
    #[must_use]
    pub fn fields(self, fields: &str) -> Self {
        let mut includes = Vec::new();
        let mut excludes = Vec::new();
        for field in fields.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            match field.strip_prefix('-') {
                Some(f) => excludes.push(f),
                None => includes.push(field.trim_start_matches('+')),
            }
        }
        self.set(
            "fields",
            Ok(json!({"include": includes, "exclude": excludes})),
        )
    }

    /// Items per page, asked of the server (1 to 10 000).
    #[must_use]
    pub fn limit(self, limit: usize) -> Self {
        let value = if (1..=10_000).contains(&limit) {
            Ok(limit.into())
        } else {
            Err(Error::Stac(format!(
                "limit {limit}: must be between 1 and 10000"
            )))
        };
        self.set("limit", value)
    }

    /// At most this many items in all; paging stops there.
    #[must_use]
    pub fn max_items(mut self, max_items: usize) -> Self {
        self.max_items = Some(max_items);
        self
    }

    /// Sends the search by GET (query parameters) instead of POST (a JSON body).
    #[must_use]
    pub fn method_get(mut self) -> Self {
        self.get = true;
        self
    }

    /// The JSON body the search is sent with by POST.
    pub fn body(&self) -> Result<&Map<String, Value>, Error> {
        match &self.error {
            Some(e) => Err(Error::Stac(e.clone())),
            None => Ok(&self.params),
        }
    }
}

/// JSON given as text or as a value.
#[derive(Debug)]
pub struct GeoJson(Result<Value, serde_json::Error>);

impl From<&str> for GeoJson {
    fn from(text: &str) -> Self {
        GeoJson(serde_json::from_str(text))
    }
}

impl From<Value> for GeoJson {
    fn from(value: Value) -> Self {
        GeoJson(Ok(value))
    }
}

/// A search sent to an API: its pages are fetched as they are asked for and kept.
#[derive(Debug, Clone)]
pub struct ItemSearch {
    client: Client,
    first: Request,
    max_items: Option<usize>,
    state: Arc<Mutex<State>>,
}

#[derive(Debug)]
struct State {
    pages: Vec<Page>,
    /// The request for the next page; `None` once the last page is in.
    next: Option<Request>,
}

#[derive(Debug, Clone)]
struct Page {
    features: Vec<Map<String, Value>>,
    matched: Option<u64>,
}

impl ItemSearch {
    /// Fetches the next page, unless the search is complete. `Ok(false)`: it is.
    fn fetch_next(&self) -> Result<bool, Error> {
        let mut state = self.state.lock().expect("search state");
        let fetched: usize = state.pages.iter().map(|p| p.features.len()).sum();
        if self.max_items.is_some_and(|max| fetched >= max) {
            state.next = None;
        }
        let Some(request) = state.next.clone() else {
            return Ok(false);
        };
        let number = state.pages.len() + 1;
        let mut page = self.client.send(&request).map_err(|e| {
            Error::Stac(format!(
                "page {number} of the search failed: {e}. The {fetched} items of the {} \
                 pages before it are kept; asking again resumes at page {number}",
                number - 1
            ))
        })?;
        let features = match page.remove("features") {
            Some(Value::Array(features)) => features
                .into_iter()
                .filter_map(|f| match f {
                    Value::Object(f) => Some(f),
                    _ => None,
                })
                .collect::<Vec<_>>(),
            _ => {
                return Err(Error::Stac(format!(
                    "page {number} of the search ({}) has no `features` array",
                    request.url
                )));
            }
        };
        let mut features = features;
        if let Some(max) = self.max_items {
            features.truncate(max - fetched);
        }
        let matched = page
            .get("numberMatched")
            .or_else(|| page.get("context").and_then(|c| c.get("matched")))
            .and_then(Value::as_u64);
        state.next = if features.is_empty() {
            None
        } else {
            next_request(&page, &request)?
        };
        if !features.is_empty() {
            state.pages.push(Page { features, matched });
        }
        Ok(true)
    }

    /// Every item the search finds (up to `max_items`), fetching the pages not yet in.
    pub fn item_collection(&self) -> Result<ItemCollection, Error> {
        while self.fetch_next()? {}
        Ok(self.fetched())
    }

    /// The items of the pages fetched so far.
    #[must_use]
    pub fn fetched(&self) -> ItemCollection {
        let state = self.state.lock().expect("search state");
        ItemCollection::new(
            state
                .pages
                .iter()
                .flat_map(|p| p.features.iter().cloned())
                .collect(),
        )
    }

    /// The pages, each an item collection: those already in, then the rest as the
    /// iteration reaches them.
    pub fn pages(&self) -> impl Iterator<Item = Result<ItemCollection, Error>> + '_ {
        let mut index = 0;
        std::iter::from_fn(move || {
            loop {
                if let Some(page) = self.state.lock().expect("search state").pages.get(index) {
                    index += 1;
                    return Some(Ok(ItemCollection::new(page.features.clone())));
                }
                match self.fetch_next() {
                    Ok(true) => {}
                    Ok(false) => return None,
                    Err(e) => return Some(Err(e)),
                }
            }
        })
    }

    /// How many pages have been fetched.
    #[must_use]
    pub fn pages_fetched(&self) -> usize {
        self.state.lock().expect("search state").pages.len()
    }

    /// Whether every page is in.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.state.lock().expect("search state").next.is_none()
    }

    /// The number of items the API says match (`numberMatched` or `context.matched`),
    /// if it says; fetches the first page when it is not in yet.
    pub fn matched(&self) -> Result<Option<u64>, Error> {
        if self.pages_fetched() == 0 {
            self.fetch_next()?;
        }
        let state = self.state.lock().expect("search state");
        Ok(state.pages.first().and_then(|p| p.matched))
    }
}

impl Repr for ItemSearch {
    fn repr(&self) -> MimeBundle {
        let state = self.state.lock().expect("search state");
        let items: usize = state.pages.iter().map(|p| p.features.len()).sum();
        let progress = format!(
            "{} page{}, {items} item{} fetched{}",
            state.pages.len(),
            if state.pages.len() == 1 { "" } else { "s" },
            if items == 1 { "" } else { "s" },
            if state.next.is_none() {
                " (complete)"
            } else {
                ""
            }
        );
        let body = Value::Object(self.first.params.clone()).to_string();
        let plain = format!(
            "ItemSearch: {} {}\n  {body}\n  {progress}",
            self.first.method, self.first.url
        );
        let html = format!(
            "<div><b>ItemSearch</b> {} <code>{}</code><br><code>{}</code><br>{progress}</div>",
            self.first.method,
            escape(&self.first.url),
            escape(&body)
        );
        MimeBundle::text(plain).with("text/html", html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_formatted_as_pystac_client_formats_them() {
        let search = Search::new()
            .collections(["a", "b"])
            .ids(["x"])
            .bbox([-5.0, 42.0, 8.0, 51.0])
            .datetime("2019")
            .sortby("-properties.datetime,id")
            .fields("id,-assets")
            .filter("eo:cloud_cover < 20")
            .limit(10);
        let body = Value::Object(search.body().unwrap().clone());
        assert_eq!(
            body,
            json!({
                "collections": ["a", "b"], "ids": ["x"], "bbox": [-5.0, 42.0, 8.0, 51.0],
                "datetime": "2019-01-01T00:00:00Z/2019-12-31T23:59:59Z",
                "sortby": [{"field": "properties.datetime", "direction": "desc"},
                           {"field": "id", "direction": "asc"}],
                "fields": {"include": ["id"], "exclude": ["assets"]},
                "filter": "eo:cloud_cover < 20", "filter-lang": "cql2-text", "limit": 10
            })
        );
        let get = get_params(search.params);
        assert_eq!(get["bbox"], "-5.0,42.0,8.0,51.0");
        assert_eq!(get["collections"], "a,b");
        assert_eq!(get["sortby"], "-properties.datetime,+id");
        assert_eq!(get["fields"], "+id,-assets");
    }

    #[test]
    fn the_first_bad_parameter_is_reported() {
        let search = Search::new()
            .datetime("2019-13")
            .bbox([0.0, 10.0, 1.0, 5.0])
            .limit(0);
        let err = search.body().unwrap_err().to_string();
        assert_eq!(err, "datetime `2019-13`: there is no month 13");
        let err = Search::new()
            .intersects("{oops")
            .body()
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("intersects: not valid JSON"), "{err}");
        let err = Search::new().limit(20_000).body().unwrap_err().to_string();
        assert_eq!(err, "limit 20000: must be between 1 and 10000");
    }

    #[test]
    fn next_links_follow_every_dialect() {
        let request = Request {
            method: reqwest::Method::POST,
            url: "http://api.test/search".into(),
            params: json!({"limit": 2, "collections": ["c"]})
                .as_object()
                .unwrap()
                .clone(),
            headers: Vec::new(),
        };
        let page = |link: Value| json!({"links": [link]}).as_object().unwrap().clone();
        // POST, body merged into the last one.
        let next = next_request(
            &page(json!({"rel": "next", "href": "search", "method": "POST",
                         "body": {"token": "t2"}, "merge": true})),
            &request,
        )
        .unwrap()
        .unwrap();
        assert_eq!(next.url, "http://api.test/search");
        assert_eq!(
            Value::Object(next.params),
            json!({"limit": 2, "collections": ["c"], "token": "t2"})
        );
        // POST, body replacing the last one (Earth Search's `{"next": ...}`).
        let next = next_request(
            &page(
                json!({"rel": "next", "href": "http://api.test/search", "method": "POST",
                         "body": {"next": "abc"}, "merge": false}),
            ),
            &request,
        )
        .unwrap()
        .unwrap();
        assert_eq!(Value::Object(next.params), json!({"next": "abc"}));
        // GET with the token or offset in the href, and headers.
        let next = next_request(
            &page(json!({"rel": "next", "href": "/search?offset=2&limit=2",
                         "headers": {"X-Page": "2"}})),
            &request,
        )
        .unwrap()
        .unwrap();
        assert_eq!(next.method, reqwest::Method::GET);
        assert_eq!(next.url, "http://api.test/search?offset=2&limit=2");
        assert!(next.params.is_empty());
        assert_eq!(next.headers, [("X-Page".to_owned(), "2".to_owned())]);
        assert!(
            next_request(&page(json!({"rel": "self", "href": "x"})), &request)
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn server_messages_are_taken_from_their_fields() {
        assert_eq!(
            server_message(br#"{"code": "NotFoundError", "description": "No collection"}"#),
            "No collection"
        );
        assert_eq!(server_message(br#"{"detail": "Not Found"}"#), "Not Found");
        assert_eq!(server_message(b"Bad Gateway"), "Bad Gateway");
        assert_eq!(server_message(b""), "(no message)");
    }

    #[test]
    fn an_unreachable_server_is_named() {
        let err = Client::open("http://127.0.0.1:9").unwrap_err().to_string();
        assert!(
            err.starts_with("cannot reach the STAC API at http://127.0.0.1:9"),
            "{err}"
        );
    }
}
