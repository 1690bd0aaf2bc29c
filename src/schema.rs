//! The table as dynaquery sees it: primary key, secondary indexes and their
//! projections, and the attributes the caller promises are always present.

use std::collections::BTreeSet;

use crate::template::Entity;
use crate::value::{AttrType, Value};

/// The three scalar types a DynamoDB key attribute can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
}

impl ScalarType {
    /// True when `value` is of this type.
    pub fn matches(self, value: &Value) -> bool {
        matches!(
            (self, value.attr_type()),
            (ScalarType::S, AttrType::S) | (ScalarType::N, AttrType::N) | (ScalarType::B, AttrType::B)
        )
    }

    /// `"S"`, `"N"` or `"B"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScalarType::S => "S",
            ScalarType::N => "N",
            ScalarType::B => "B",
        }
    }
}

/// One key attribute: its name and declared type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyAttribute {
    /// Attribute name.
    pub name: String,
    /// Declared type.
    pub ty: ScalarType,
}

impl KeyAttribute {
    /// A string key attribute.
    pub fn s(name: impl Into<String>) -> Self {
        KeyAttribute { name: name.into(), ty: ScalarType::S }
    }
    /// A number key attribute.
    pub fn n(name: impl Into<String>) -> Self {
        KeyAttribute { name: name.into(), ty: ScalarType::N }
    }
    /// A binary key attribute.
    pub fn b(name: impl Into<String>) -> Self {
        KeyAttribute { name: name.into(), ty: ScalarType::B }
    }
}

/// A key: partition attributes, then sort attributes.
///
/// Tables and LSIs have one partition attribute and at most one sort
/// attribute; GSIs may have up to four of each.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct KeySchema {
    /// Partition (hash) key attributes, in order.
    pub partition: Vec<KeyAttribute>,
    /// Sort (range) key attributes, in order.
    pub sort: Vec<KeyAttribute>,
}

impl KeySchema {
    /// A key from its partition and sort attributes, in order.
    pub fn new(
        partition: impl IntoIterator<Item = KeyAttribute>,
        sort: impl IntoIterator<Item = KeyAttribute>,
    ) -> Self {
        KeySchema { partition: partition.into_iter().collect(), sort: sort.into_iter().collect() }
    }

    /// All key attributes, partition first.
    pub fn attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        self.partition.iter().chain(self.sort.iter())
    }

    /// True when `name` is one of this key's attributes.
    pub fn contains(&self, name: &str) -> bool {
        self.attributes().any(|a| a.name == name)
    }
}

/// Which attributes an index copies from the table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Projection {
    /// Every attribute.
    All,
    /// The table's and the index's key attributes only.
    KeysOnly,
    /// The keys plus these attributes.
    Include(BTreeSet<String>),
}

/// Global or local secondary index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexKind {
    /// Global secondary index: its own partition key; sparse; eventually consistent.
    Global,
    /// Local secondary index: the table's partition key, another sort key.
    Local,
}

/// A write-sharded partition key (AWS's documented pattern for a hot
/// partition value): the index's one partition attribute holds
/// `{logical}{separator}{shard}`, so one logical value (`status = 'paid'`)
/// is spread over `shards` physical ones (`paid#0` … `paid#9`).
///
/// Queries name the logical attribute: `status = 'paid'` (or `IN`) reads
/// every shard of each value as parallel streams, merged like an `IN`. With
/// [`by`](Sharding::by), the shard of an item is the
/// [`shard_of`](Sharding::shard_of) its `by` attribute's value, and a query
/// that pins `by` with `=` reads that one shard. Items are written with the
/// physical attribute filled in by [`Schema::stored_item`].
///
/// ```
/// use dynaquery::{col, item, Engine, Index, KeyAttribute, MemoryTable, Query, Schema, Sharding, Value};
///
/// let schema = Schema::new("orders", KeyAttribute::s("order_id")).index(
///     Index::gsi("by_status", [KeyAttribute::s("status_shard")], [KeyAttribute::s("created_at")])
///         .sharded(Sharding::new("status", "#", 4).by("user_id")),
/// )
/// .always_present(["created_at"]);
/// let stored = schema.stored_item(&item([
///     ("order_id", Value::from("o-1")),
///     ("user_id", Value::from("u-7")),
///     ("status", Value::from("paid")),
///     ("created_at", Value::from("2026-11-01")),
/// ]));
/// let shard = Sharding::shard_of(&Value::from("u-7"), 4);
/// assert_eq!(stored["status_shard"], Value::from(format!("paid#{shard}")));
///
/// let engine = Engine::new(schema.clone(), MemoryTable::new(schema));
/// // Every shard of `paid`…
/// let plan = engine.plan(&Query::new().filter(col("status").eq("paid"))).unwrap();
/// assert_eq!(plan.streams().len(), 4);
/// // …or the one a user's orders are in.
/// let q = Query::new().filter(col("status").eq("paid")).filter(col("user_id").eq("u-7"));
/// assert_eq!(engine.plan(&q).unwrap().streams().len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Sharding {
    /// The logical attribute queries name (e.g. `status`), stored on the
    /// item as well.
    pub logical: String,
    /// Between the logical value and the shard number.
    pub separator: String,
    /// How many shards each logical value is spread over (1 to 1000).
    pub shards: u32,
    /// The attribute whose value picks an item's shard
    /// ([`Sharding::shard_of`]); `None` when the writer picks (then every
    /// query reads every shard, and [`Schema::stored_item`] hashes the
    /// table's key).
    pub by: Option<String>,
}

impl Sharding {
    /// The most shards a value may be spread over.
    pub const MAX_SHARDS: u32 = 1000;

    /// `logical` spread over `shards` suffixes after `separator`.
    pub fn new(logical: impl Into<String>, separator: impl Into<String>, shards: u32) -> Self {
        Sharding { logical: logical.into(), separator: separator.into(), shards, by: None }
    }

    /// The shard is computed from this attribute's value.
    pub fn by(mut self, attr: impl Into<String>) -> Self {
        self.by = Some(attr.into());
        self
    }

    /// The shard of a value: FNV-1a (64-bit) over its bytes — a string's
    /// UTF-8, a number's canonical decimal text, a binary's bytes, any
    /// other value's JSON-like text — modulo `shards`. Stable across
    /// versions, so other writers can compute it.
    pub fn shard_of(value: &Value, shards: u32) -> u32 {
        let text;
        let bytes: &[u8] = match value {
            Value::S(s) => s.as_bytes(),
            Value::B(b) => b,
            other => {
                text = other.to_string();
                text.as_bytes()
            }
        };
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        (h % u64::from(shards.max(1))) as u32
    }

    /// The physical value of `logical` in shard `shard`, when `logical` is
    /// a string or a number (other values cannot be sharded).
    pub fn physical(&self, logical: &Value, shard: u32) -> Option<Value> {
        let base = match logical {
            Value::S(s) if !s.is_empty() => s.clone(),
            Value::N(n) => n.to_string(),
            _ => return None,
        };
        Some(Value::S(format!("{base}{}{shard}", self.separator)))
    }
}

/// A secondary index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Index {
    /// Index name.
    pub name: String,
    /// GSI or LSI.
    pub kind: IndexKind,
    /// The index key.
    pub key: KeySchema,
    /// What the index projects.
    pub projection: Projection,
    /// How the partition key is write-sharded, if it is.
    pub sharding: Option<Sharding>,
}

impl Index {
    /// A global secondary index with projection `ALL`.
    ///
    /// ```
    /// use dynaquery::{Index, KeyAttribute};
    /// let gsi = Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]);
    /// assert_eq!(gsi.key.sort[0].name, "created_at");
    /// ```
    pub fn gsi(
        name: impl Into<String>,
        partition: impl IntoIterator<Item = KeyAttribute>,
        sort: impl IntoIterator<Item = KeyAttribute>,
    ) -> Self {
        Index {
            name: name.into(),
            kind: IndexKind::Global,
            key: KeySchema { partition: partition.into_iter().collect(), sort: sort.into_iter().collect() },
            projection: Projection::All,
            sharding: None,
        }
    }

    /// A local secondary index with projection `ALL`; its partition key is the
    /// table's, filled in by [`Schema::index`].
    pub fn lsi(name: impl Into<String>, sort: KeyAttribute) -> Self {
        Index {
            name: name.into(),
            kind: IndexKind::Local,
            key: KeySchema { partition: Vec::new(), sort: vec![sort] },
            projection: Projection::All,
            sharding: None,
        }
    }

    /// Sets the projection.
    pub fn projection(mut self, projection: Projection) -> Self {
        self.projection = projection;
        self
    }

    /// Declares the index's partition key write-sharded (a GSI with one
    /// string partition attribute; [`Schema::validate`] checks it).
    pub fn sharded(mut self, sharding: Sharding) -> Self {
        self.sharding = Some(sharding);
        self
    }

    /// The partition attribute a sharded index stores its physical values in.
    pub(crate) fn shard_attribute(&self) -> Option<(&str, &Sharding)> {
        let s = self.sharding.as_ref()?;
        Some((self.key.partition.first()?.name.as_str(), s))
    }
}

/// A table's schema.
///
/// ```
/// use dynaquery::{Index, KeyAttribute, Schema};
/// let schema = Schema::new("orders", KeyAttribute::s("order_id"))
///     .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]));
/// assert_eq!(schema.indexes.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Schema {
    /// Table name.
    pub table: String,
    /// The table's primary key.
    pub primary: KeySchema,
    /// Secondary indexes.
    pub indexes: Vec<Index>,
    /// Attributes the caller declares present on every item, so that a sparse
    /// index keyed on them is known to hold every item.
    pub always_present: BTreeSet<String>,
    /// In a single-table design, the entity this schema queries: its type
    /// attribute and the templates its key attributes are composed by.
    pub entity: Option<Entity>,
}

impl Schema {
    /// A table with a partition key only.
    pub fn new(table: impl Into<String>, partition_key: KeyAttribute) -> Self {
        Schema {
            table: table.into(),
            primary: KeySchema { partition: vec![partition_key], sort: Vec::new() },
            indexes: Vec::new(),
            always_present: BTreeSet::new(),
            entity: None,
        }
    }

    /// Queries one entity of a single-table design (see [`Entity`]): its
    /// key attributes hold strings composed by [`KeyTemplate`](crate::KeyTemplate)s from its
    /// logical attributes, which queries name. Only the entity's items are
    /// returned, without the composed keys, the type attribute and the
    /// tags (unless selected); [`Schema::stored_item`] writes them.
    ///
    /// ```
    /// use dynaquery::{col, desc, item, Engine, Entity, Index, KeyAttribute, KeyTemplate, MemoryTable, Query, Schema, Value};
    ///
    /// let schema = Schema::new("app", KeyAttribute::s("pk"))
    ///     .sort_key(KeyAttribute::s("sk"))
    ///     .index(Index::gsi("gsi1", [KeyAttribute::s("gsi1pk")], [KeyAttribute::s("gsi1sk")]))
    ///     .entity(
    ///         Entity::new("type", "order")
    ///             .key("pk", KeyTemplate::parse("ORDER#{order_id}")?)
    ///             .key("sk", KeyTemplate::parse("ORDER")?)
    ///             .key("gsi1pk", KeyTemplate::parse("STATUS#{status}")?)
    ///             .key("gsi1sk", KeyTemplate::parse("{created_at:10}#{order_id}")?),
    ///     )
    ///     .always_present(["status", "created_at"]);
    /// let stored = schema.stored_item(&item([
    ///     ("order_id", Value::from("o-1")),
    ///     ("status", Value::from("paid")),
    ///     ("created_at", Value::from("2026-11-20")),
    /// ]));
    /// assert_eq!(stored["gsi1sk"], Value::from("2026-11-20#o-1"));
    /// assert_eq!(stored["type"], Value::from("order"));
    ///
    /// let table = MemoryTable::new(schema.clone());
    /// table.put(stored)?;
    /// let engine = Engine::new(schema, table);
    /// let q = Query::new().filter(col("status").eq("paid")).order_by(desc("created_at"));
    /// let page = futures::executor::block_on(engine.fetch(&q))?;
    /// assert_eq!(page.rows[0].get("gsi1sk"), None); // logical attributes only
    /// assert_eq!(page.rows[0]["created_at"], Value::from("2026-11-20"));
    /// # Ok::<(), dynaquery::Error>(())
    /// ```
    pub fn entity(mut self, entity: Entity) -> Self {
        self.entity = Some(entity);
        self
    }

    /// Sets the table's sort key.
    pub fn sort_key(mut self, sort_key: KeyAttribute) -> Self {
        self.primary.sort = vec![sort_key];
        self
    }

    /// Adds a secondary index. An LSI gets the table's partition key.
    pub fn index(mut self, mut index: Index) -> Self {
        if index.kind == IndexKind::Local {
            index.key.partition = self.primary.partition.clone();
        }
        self.indexes.push(index);
        self
    }

    /// Declares attributes present on every item (e.g. `created_at`).
    pub fn always_present<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.always_present.extend(names.into_iter().map(Into::into));
        self
    }

    /// `item` as it is stored: with the physical partition attribute of
    /// every sharded index filled in from its logical attribute (see
    /// [`Sharding`]). An item without the logical attribute (or with one
    /// that is not a string or number) gets none, so it stays out of the
    /// index as any item without its key does.
    pub fn stored_item(&self, item: &crate::Item) -> crate::Item {
        let mut out = item.clone();
        for ix in &self.indexes {
            let Some((attr, sh)) = ix.shard_attribute() else { continue };
            let Some(logical) = item.get(&sh.logical) else { continue };
            let source = match &sh.by {
                Some(by) => item.get(by),
                None => self.primary.partition.first().and_then(|k| item.get(&k.name)),
            };
            let shard = source.map_or(0, |v| Sharding::shard_of(v, sh.shards));
            if let Some(v) = sh.physical(logical, shard) {
                out.insert(attr.to_owned(), v);
            }
        }
        if let Some(e) = &self.entity {
            out.insert(e.attribute.clone(), Value::S(e.name.clone()));
            for (a, v) in &e.tags {
                out.insert(a.clone(), v.clone());
            }
            for (attr, t) in &e.keys {
                match t.compose(item) {
                    Some(v) => out.insert(attr.clone(), Value::S(v)),
                    None => out.remove(attr),
                };
            }
        }
        out
    }

    /// Like [`stored_item`](Schema::stored_item), but refuses a value that
    /// does not fit its part of a [`KeyTemplate`](crate::KeyTemplate) (composed as its text, it
    /// would break the order that part serves).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidQuery`](crate::ErrorKind::InvalidQuery) naming
    /// the attribute and the template.
    pub fn try_stored_item(&self, item: &crate::Item) -> crate::Result<crate::Item> {
        if let Some(e) = &self.entity {
            for (_, t) in &e.keys {
                t.try_compose(item)?;
            }
        }
        Ok(self.stored_item(item))
    }

    /// Checks what DynamoDB cannot: each sharded index is a GSI with one
    /// string partition attribute other than its logical one, 1 to
    /// [`Sharding::MAX_SHARDS`] shards and a non-empty separator.
    ///
    /// # Errors
    /// [`ErrorKind::Schema`](crate::ErrorKind::Schema) naming the index.
    pub fn validate(&self) -> crate::Result<()> {
        self.validate_entity()?;
        for ix in &self.indexes {
            let Some(sh) = &ix.sharding else { continue };
            let bad = |why: String| {
                Err(crate::Error::new(
                    crate::ErrorKind::Schema,
                    format!("sharded index `{}`: {why}", ix.name),
                ))
            };
            match ix.key.partition.as_slice() {
                [p] if ix.kind == IndexKind::Global && p.ty == ScalarType::S && p.name != sh.logical => {}
                _ => {
                    return bad(format!(
                        "a sharded partition key is a GSI's one string (S) partition attribute, other than \
                         the logical attribute `{}` it shards",
                        sh.logical
                    ))
                }
            }
            if sh.shards == 0 || sh.shards > Sharding::MAX_SHARDS {
                return bad(format!("{} shards: use 1 to {}", sh.shards, Sharding::MAX_SHARDS));
            }
            if sh.separator.is_empty() {
                return bad("the separator is empty: use one such as `#`".into());
            }
        }
        Ok(())
    }

    /// An entity's templates name string key attributes of the table or
    /// its indexes, every attribute of the table's key has one, and the
    /// type attribute, the tags and the logical attributes are not key
    /// attributes.
    fn validate_entity(&self) -> crate::Result<()> {
        let Some(e) = &self.entity else { return Ok(()) };
        let bad = |why: String| {
            Err(crate::Error::new(crate::ErrorKind::Schema, format!("entity `{}`: {why}", e.name)))
        };
        let keys: Vec<&KeyAttribute> =
            self.primary.attributes().chain(self.indexes.iter().flat_map(|i| i.key.attributes())).collect();
        for (attr, t) in &e.keys {
            match keys.iter().find(|k| k.name == *attr) {
                None => {
                    return bad(format!(
                        "`{attr}` has a key template but is no key attribute of the table or an index"
                    ))
                }
                Some(k) if k.ty != ScalarType::S => {
                    return bad(format!(
                        "key attribute `{attr}` holds a composed string: declare it S, not {}",
                        k.ty.as_str()
                    ))
                }
                Some(_) => {}
            }
            if let Some(l) = t.attributes().find(|l| keys.iter().any(|k| k.name == *l)) {
                return bad(format!(
                    "template of `{attr}` writes `{l}`, a key attribute: name logical attributes only"
                ));
            }
        }
        for k in self.primary.attributes() {
            if e.template(&k.name).is_none() {
                return bad(format!(
                    "the table's key attribute `{}` has no key template: add one with Entity::key",
                    k.name
                ));
            }
        }
        for a in std::iter::once(&e.attribute).chain(e.tags.iter().map(|(a, _)| a)) {
            if keys.iter().any(|k| k.name == *a) {
                return bad(format!("`{a}` tells entities apart and cannot be a key attribute"));
            }
        }
        if self.indexes.iter().any(|i| i.sharding.is_some()) {
            return bad("write-sharded indexes are not supported with an entity yet".into());
        }
        Ok(())
    }

    /// Checks this schema against the one the table really has (from
    /// `DescribeTable`, or a [`MemoryTable`](crate::MemoryTable)'s): same
    /// table name, primary key, and indexes with the same keys and
    /// projections. `always_present` is the caller's own promise and is not
    /// compared.
    ///
    /// # Errors
    /// [`ErrorKind::Schema`](crate::ErrorKind::Schema), listing every difference.
    pub fn check_matches(&self, actual: &Schema) -> crate::Result<()> {
        let diffs = self.differences(actual);
        if diffs.is_empty() {
            return Ok(());
        }
        Err(crate::Error::new(
            crate::ErrorKind::Schema,
            format!(
                "the schema does not match table `{}`: {}; load it with dynamodb::load_schema or fix it",
                actual.table,
                diffs.join("; ")
            ),
        ))
    }

    /// What [`check_matches`](Schema::check_matches) reports, one line each.
    pub(crate) fn differences(&self, actual: &Schema) -> Vec<String> {
        let mut diffs = Vec::new();
        if self.table != actual.table {
            diffs.push(format!("table name `{}` vs `{}`", self.table, actual.table));
        }
        if self.primary != actual.primary {
            diffs.push(format!("primary key {:?} vs {:?}", self.primary, actual.primary));
        }
        for ix in &self.indexes {
            match actual.find_index(&ix.name) {
                None => diffs.push(format!("index `{}` does not exist on the table", ix.name)),
                // DynamoDB knows nothing of sharding: compare what it has.
                Some(a) if (&a.kind, &a.key, &a.projection) != (&ix.kind, &ix.key, &ix.projection) => {
                    diffs.push(format!("index `{}` is {a:?} on the table, not {ix:?}", ix.name))
                }
                Some(_) => {}
            }
        }
        diffs
    }

    /// The index with this name.
    pub fn find_index(&self, name: &str) -> Option<&Index> {
        self.indexes.iter().find(|i| i.name == name)
    }

    /// The primary-key attribute names, partition first.
    pub fn primary_key_names(&self) -> impl Iterator<Item = &str> {
        self.primary.attributes().map(|a| a.name.as_str())
    }

    /// The key schema of `index` (`None` = the table itself).
    pub fn key_of(&self, index: Option<&str>) -> Option<&KeySchema> {
        match index {
            None => Some(&self.primary),
            Some(name) => self.find_index(name).map(|i| &i.key),
        }
    }

    /// True when an item read from `index` carries attribute `name`.
    pub fn projects(&self, index: Option<&str>, name: &str) -> bool {
        let Some(name_idx) = index else { return true };
        let Some(ix) = self.find_index(name_idx) else { return false };
        if ix.kind == IndexKind::Local || self.primary.contains(name) || ix.key.contains(name) {
            return true;
        }
        match &ix.projection {
            Projection::All => true,
            Projection::KeysOnly => false,
            Projection::Include(set) => set.contains(name),
        }
    }
}
