// Placeholder: replaced as the Training target is written.
