# examples: domain XML files and how to use them, installed with the documentation.
# demo.xml names the demo guest of a build tree (../build/...); its installed copy
# names the installed guest instead.
exampledir = $(docdir)/examples
dist_example_DATA = \
	examples/demo.xml \
	examples/demo-disk.xml \
	examples/README.md \
	examples/libvirt-pvh.xml \
	examples/disk-and-network.xml
EXTRA_DIST += examples/demo.xml

install-data-local: install-example-demo
install-example-demo:
	$(MKDIR_P) '$(DESTDIR)$(exampledir)'
	sed 's|<kernel>\.\./build/pv-drivers/guest/demo/demo</kernel>|<kernel>$(guestsdir)/demo</kernel>|' \
		'$(srcdir)/examples/demo.xml' >'$(DESTDIR)$(exampledir)/demo.xml'
	grep -q '<kernel>$(guestsdir)/demo</kernel>' '$(DESTDIR)$(exampledir)/demo.xml'
uninstall-local: uninstall-example-demo
uninstall-example-demo:
	rm -f '$(DESTDIR)$(exampledir)/demo.xml'
.PHONY: install-example-demo uninstall-example-demo
