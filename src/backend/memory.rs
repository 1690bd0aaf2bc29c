//! In-memory backend (being written).

/// An in-memory table.
#[derive(Debug, Clone, Default)]
pub struct MemoryTable;
