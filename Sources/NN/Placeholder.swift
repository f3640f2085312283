// Placeholder: replaced as the NN target is written.
