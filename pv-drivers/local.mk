# pv-drivers: build fragment (paths relative to the top of the tree).
