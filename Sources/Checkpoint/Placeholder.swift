// Placeholder: replaced as the Checkpoint target is written.
