# include: build fragment (paths relative to the top of the tree).
