// Placeholder: replaced as the Corpus target is written.
