//! The table as dynaquery sees it: primary key, secondary indexes and their
//! projections, and the attributes the caller promises are always present.

use std::collections::BTreeSet;

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
        }
    }

    /// Sets the projection.
    pub fn projection(mut self, projection: Projection) -> Self {
        self.projection = projection;
        self
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
}

impl Schema {
    /// A table with a partition key only.
    pub fn new(table: impl Into<String>, partition_key: KeyAttribute) -> Self {
        Schema {
            table: table.into(),
            primary: KeySchema { partition: vec![partition_key], sort: Vec::new() },
            indexes: Vec::new(),
            always_present: BTreeSet::new(),
        }
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
                Some(a) if a != ix => {
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
