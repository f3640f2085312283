print("hmtl: under construction")
