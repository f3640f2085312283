/// All four tasks on a small demo corpus, small dimensions: the config of the multi-task,
/// resume, experiment and shared-checkpoint tests.
public enum MultiTaskConfig {
    public static let json = """
    {
      "seed": 11,
      "embedder": { "word_dim": 8, "char_dim": 4, "char_filters": 6, "char_dropout": 0.1 },
      "tasks": {
        "ner": { "data": { "format": "demo", "documents": 30, "seed": 2 }, "batch_size": 4,
                 "encoder": { "hidden": 6, "layers": 1 } },
        "emd": { "data": { "format": "demo", "documents": 30, "seed": 2 }, "batch_size": 4,
                 "encoder": { "hidden": 6, "layers": 1 } },
        "relation": { "data": { "format": "demo", "documents": 30, "seed": 2 }, "batch_size": 2,
                      "encoder": { "hidden": 5, "layers": 2 }, "scorer_size": 6 },
        "coref": { "data": { "format": "demo", "documents": 30, "seed": 2 }, "batch_size": 1,
                   "encoder": { "hidden": 6, "layers": 1 }, "feature_size": 3, "ffnn_size": 8, "max_antecedents": 10 }
      },
      "training": { "max_steps": 10, "log_every": 5, "validate_every": 10, "checkpoint_every": 10, "patience": 100 },
      "debug": { "verify_collectives": true }
    }
    """
}
