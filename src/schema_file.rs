//! The `serde` feature for [`Schema`]: the JSON (or any serde format)
//! the CLI's `--schema` file uses, one format for both.
//!
//! ```json
//! {
//!   "table": "orders",
//!   "partition_key": [{"name": "order_id", "type": "S"}],
//!   "sort_key": [],
//!   "indexes": [
//!     {
//!       "name": "status-created_at",
//!       "kind": "GSI",
//!       "partition_key": [{"name": "status", "type": "S"}],
//!       "sort_key": [{"name": "created_at", "type": "S"}],
//!       "projection": "ALL"
//!     }
//!   ],
//!   "always_present": ["status", "created_at"]
//! }
//! ```
//!
//! Types are `S`, `N` or `B`. `kind` is `GSI` (up to four partition and
//! four sort attributes) or `LSI` (one sort attribute; its partition key is
//! the table's, so `partition_key` is omitted). `projection` is `ALL` (the
//! default), `KEYS_ONLY` or `INCLUDE` with `"non_key_attributes": [...]`.
//! An index's partition key may be write-sharded (see
//! [`Sharding`]) with
//! `"sharding": {"logical": "status", "separator": "#", "shards": 10, "by": "user_id"}`
//! (`by` optional). A single-table design's entity (see
//! [`Entity`]) is
//! `"entity": {"attribute": "__edb_e__", "name": "order", "tags": {"__edb_v__": "1"},
//! "keys": [{"attribute": "gsi1pk", "template": "$shop#status_{status}", "lowercase": true}, …]}`
//! (`tags` and `lowercase` optional; tags are strings). `sort_key`,
//! `indexes`, `always_present` and `entity` may be omitted; unknown fields
//! are refused. Deserializing checks what DynamoDB
//! would refuse, and [`Schema::validate`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::schema::{Index, IndexKind, KeyAttribute, KeySchema, Projection, ScalarType, Schema, Sharding};
use crate::template::{Entity, KeyTemplate};
use crate::value::Value;

/// A key attribute.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Attr {
    name: String,
    #[serde(rename = "type")]
    ty: Ty,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
enum Ty {
    S,
    N,
    B,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
enum Kind {
    #[serde(rename = "GSI")]
    Gsi,
    #[serde(rename = "LSI")]
    Lsi,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
enum ProjectionType {
    #[default]
    #[serde(rename = "ALL")]
    All,
    #[serde(rename = "KEYS_ONLY")]
    KeysOnly,
    #[serde(rename = "INCLUDE")]
    Include,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IndexFile {
    name: String,
    kind: Kind,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    partition_key: Vec<Attr>,
    #[serde(default)]
    sort_key: Vec<Attr>,
    #[serde(default)]
    projection: ProjectionType,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    non_key_attributes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sharding: Option<ShardingFile>,
}

/// `"sharding": {"logical": "status", "separator": "#", "shards": 10, "by": "user_id"}`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ShardingFile {
    logical: String,
    separator: String,
    shards: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    by: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemaFile {
    table: String,
    partition_key: Vec<Attr>,
    #[serde(default)]
    sort_key: Vec<Attr>,
    #[serde(default)]
    indexes: Vec<IndexFile>,
    #[serde(default)]
    always_present: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    entity: Option<EntityFile>,
}

/// `"entity": {"attribute": "__edb_e__", "name": "order", "tags": {…}, "keys": [...]}`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EntityFile {
    attribute: String,
    name: String,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    tags: std::collections::BTreeMap<String, String>,
    keys: Vec<KeyFile>,
}

/// `{"attribute": "pk", "template": "ORDER#{order_id}", "lowercase": false}`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    attribute: String,
    template: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    lowercase: bool,
}

fn attr(a: &Attr) -> KeyAttribute {
    let ty = match a.ty {
        Ty::S => ScalarType::S,
        Ty::N => ScalarType::N,
        Ty::B => ScalarType::B,
    };
    KeyAttribute { name: a.name.clone(), ty }
}

fn file_attr(a: &KeyAttribute) -> Attr {
    let ty = match a.ty {
        ScalarType::S => Ty::S,
        ScalarType::N => Ty::N,
        ScalarType::B => Ty::B,
    };
    Attr { name: a.name.clone(), ty }
}

/// The schema a file describes, checked as DynamoDB would.
fn from_file(f: SchemaFile) -> Result<Schema, String> {
    if f.partition_key.is_empty() || f.partition_key.len() > 1 || f.sort_key.len() > 1 {
        return Err("a table has one partition_key attribute and at most one sort_key attribute".into());
    }
    let primary = KeySchema::new(f.partition_key.iter().map(attr), f.sort_key.iter().map(attr));
    let mut schema = Schema::new(f.table, primary.partition[0].clone());
    schema.primary = primary;
    for ix in f.indexes {
        let projection = match ix.projection {
            ProjectionType::All => Projection::All,
            ProjectionType::KeysOnly => Projection::KeysOnly,
            ProjectionType::Include => Projection::Include(ix.non_key_attributes.iter().cloned().collect()),
        };
        if !matches!(ix.projection, ProjectionType::Include) && !ix.non_key_attributes.is_empty() {
            return Err(format!("index `{}`: non_key_attributes needs \"projection\": \"INCLUDE\"", ix.name));
        }
        let index = match ix.kind {
            Kind::Gsi => {
                if ix.partition_key.is_empty() || ix.partition_key.len() > 4 || ix.sort_key.len() > 4 {
                    return Err(format!(
                        "GSI `{}`: 1 to 4 partition_key attributes and at most 4 sort_key attributes",
                        ix.name
                    ));
                }
                Index::gsi(ix.name, ix.partition_key.iter().map(attr), ix.sort_key.iter().map(attr))
            }
            Kind::Lsi => {
                let [sort] = ix.sort_key.as_slice() else {
                    return Err(format!("LSI `{}`: exactly one sort_key attribute", ix.name));
                };
                let index = Index::lsi(ix.name.clone(), attr(sort));
                if !ix.partition_key.is_empty()
                    && ix.partition_key.iter().map(attr).collect::<Vec<_>>() != schema.primary.partition
                {
                    return Err(format!("LSI `{}`: its partition key is the table's", ix.name));
                }
                index
            }
        };
        if schema.find_index(&index.name).is_some() {
            return Err(format!("index `{}` is declared twice", index.name));
        }
        let mut index = index.projection(projection);
        if let Some(sh) = ix.sharding {
            let mut sharding = Sharding::new(sh.logical, sh.separator, sh.shards);
            sharding.by = sh.by;
            index = index.sharded(sharding);
        }
        schema = schema.index(index);
    }
    let mut schema = schema.always_present(f.always_present);
    if let Some(e) = f.entity {
        let mut entity = Entity::new(e.attribute, e.name);
        for (a, v) in e.tags {
            entity = entity.tag(a, v);
        }
        for k in e.keys {
            let t = KeyTemplate::parse(&k.template).map_err(|e| e.message().to_owned())?;
            entity = entity.key(k.attribute, if k.lowercase { t.lowercase() } else { t });
        }
        schema = schema.entity(entity);
    }
    schema.validate().map_err(|e| e.message().to_owned())?;
    Ok(schema)
}

/// A schema in the file format.
fn to_file(schema: &Schema) -> SchemaFile {
    let indexes = schema
        .indexes
        .iter()
        .map(|ix| {
            let (projection, non_key_attributes) = match &ix.projection {
                Projection::All => (ProjectionType::All, Vec::new()),
                Projection::KeysOnly => (ProjectionType::KeysOnly, Vec::new()),
                Projection::Include(a) => (ProjectionType::Include, a.iter().cloned().collect()),
            };
            let (kind, partition_key) = match ix.kind {
                IndexKind::Global => (Kind::Gsi, ix.key.partition.iter().map(file_attr).collect()),
                IndexKind::Local => (Kind::Lsi, Vec::new()),
            };
            IndexFile {
                name: ix.name.clone(),
                kind,
                partition_key,
                sort_key: ix.key.sort.iter().map(file_attr).collect(),
                projection,
                non_key_attributes,
                sharding: ix.sharding.as_ref().map(|sh| ShardingFile {
                    logical: sh.logical.clone(),
                    separator: sh.separator.clone(),
                    shards: sh.shards,
                    by: sh.by.clone(),
                }),
            }
        })
        .collect();
    SchemaFile {
        table: schema.table.clone(),
        partition_key: schema.primary.partition.iter().map(file_attr).collect(),
        sort_key: schema.primary.sort.iter().map(file_attr).collect(),
        indexes,
        always_present: schema.always_present.iter().cloned().collect(),
        entity: schema.entity.as_ref().map(|e| EntityFile {
            attribute: e.attribute.clone(),
            name: e.name.clone(),
            tags: e
                .tags
                .iter()
                .map(|(a, v)| match v {
                    Value::S(s) => (a.clone(), s.clone()),
                    other => (a.clone(), other.to_string()),
                })
                .collect(),
            keys: e
                .keys
                .iter()
                .map(|(a, t)| KeyFile {
                    attribute: a.clone(),
                    template: t.to_string(),
                    lowercase: t.lowercase,
                })
                .collect(),
        }),
    }
}

impl Serialize for Schema {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        to_file(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Schema {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        from_file(SchemaFile::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}
