# examples: domain XML files.
