//! The words for the operations' refusals: each error variant of `ops` turned
//! into a sentence in the reader's language, from its facts.
