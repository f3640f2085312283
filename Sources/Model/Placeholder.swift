// Placeholder: replaced as the Model target is written.
