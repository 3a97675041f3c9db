//! A git tree at a revision as a [`crate::source::Source`].
