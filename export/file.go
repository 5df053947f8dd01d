package export

import (
	"fmt"
	"os"
)

// partialSuffix marks an output file still being written.
const partialSuffix = ".partial"

// file is an output file written under a temporary name (name+".partial")
// and renamed to its name by commit, so that a file of the final name is
// always complete.
type file struct {
	name string
	f    *os.File
}

func createFile(name string) (*file, error) {
	f, err := os.Create(name + partialSuffix)
	if err != nil {
		return nil, fmt.Errorf("create export file: %w", err)
	}
	return &file{name: name, f: f}, nil
}

func (f *file) Write(p []byte) (int, error) { return f.f.Write(p) }

// commit closes the file and moves it to its final name.
func (f *file) commit() error {
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", f.name, err)
	}
	if err := os.Rename(f.name+partialSuffix, f.name); err != nil {
		return fmt.Errorf("rename %s into place: %w", f.name, err)
	}
	return nil
}

// abort closes and removes the partial file. It is harmless after commit.
func (f *file) abort() {
	f.f.Close()
	os.Remove(f.name + partialSuffix)
}
