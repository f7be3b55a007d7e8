# examples: domain XML files, installed with the documentation.
exampledir = $(docdir)/examples
dist_example_DATA = \
	examples/demo.xml \
	examples/demo-disk.xml \
	examples/libvirt-pvh.xml \
	examples/disk-and-network.xml
