# examples: domain XML files and how to use them, installed with the documentation.
# demo.xml, demo-disk.xml and demo-net.xml name the demo guest of a build tree (../build/...);
# their installed copies name the installed guest instead.
exampledir = $(docdir)/examples
dist_example_DATA = \
	examples/README.md \
	examples/libvirt-pvh.xml \
	examples/disk-and-network.xml
EXTRA_DIST += examples/demo.xml examples/demo-disk.xml examples/demo-net.xml

install-data-local: install-example-demo
install-example-demo:
	$(MKDIR_P) '$(DESTDIR)$(exampledir)'
	for f in demo.xml demo-disk.xml demo-net.xml; do \
		sed 's|<kernel>\.\./build/pv-drivers/guest/demo/demo</kernel>|<kernel>$(guestsdir)/demo</kernel>|' \
			"$(srcdir)/examples/$$f" >"$(DESTDIR)$(exampledir)/$$f" && \
		grep -q '<kernel>$(guestsdir)/demo</kernel>' "$(DESTDIR)$(exampledir)/$$f" || exit 1; \
	done
uninstall-local: uninstall-example-demo
uninstall-example-demo:
	rm -f '$(DESTDIR)$(exampledir)/demo.xml' '$(DESTDIR)$(exampledir)/demo-disk.xml' \
		'$(DESTDIR)$(exampledir)/demo-net.xml'
.PHONY: install-example-demo uninstall-example-demo
