// Placeholder: replaced as the Distributed target is written.
