"""URL modules of the grants app, one per audience; akt_ls/urls.py mounts them."""
