package main

import (
	"archive/zip"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// openModule returns the directory sub of a Go module, given the module's directory or its zip from Go's
// module cache (whose entries all start with "MODULE@VERSION/").
func openModule(path, sub string) (fs.FS, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open the module at %s: %v", path, err)
	}
	var root fs.FS
	if info.IsDir() {
		root = os.DirFS(path)
	} else {
		archive, err := zip.OpenReader(path)
		if err != nil {
			return nil, fmt.Errorf("%s is neither a module directory nor a module zip: %v", path, err)
		}
		if len(archive.File) == 0 {
			return nil, fmt.Errorf("%s is an empty zip", path)
		}
		first := archive.File[0].Name
		at := strings.Index(first, "@")
		end := strings.Index(first[max(at, 0):], "/")
		if at < 0 || end < 0 {
			return nil, fmt.Errorf("%s is not a module zip (its first entry %q does not start with MODULE@VERSION/)", path, first)
		}
		if root, err = fs.Sub(archive, first[:at+end]); err != nil {
			return nil, err
		}
	}
	if _, err := fs.Stat(root, sub); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s has no %s: not the module expected", path, sub)
		}
		return nil, err
	}
	return fs.Sub(root, sub)
}
