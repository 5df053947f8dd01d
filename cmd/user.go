package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/armorlake/armorlake/catalog"
	"github.com/armorlake/armorlake/server"
)

// runUser manages the users that log in to query nodes by password:
// armorlake user add|delete|list. Only a SCRAM-SHA-256 verifier of the
// password is stored, in the catalog, where every query node sees it
// within a second.
func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	actions := "add (or change the password of) a user, delete a user, or list the users"
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("usage: armorlake user add|delete|list [flags]: %s; armorlake user add --help lists the flags", actions)
	}
	action := args[0]
	o := newOptions("user "+action, "Manages the users that log in to query nodes with a password (scram-sha-256 or password\nmethods of --auth-file). add reads the password from --password-file, else from standard input.", stderr)
	var etcd listFlag = []string{defaultEtcd}
	var name, passwordFile string
	o.fs.Var(&etcd, "etcd-endpoints", "comma-separated etcd client URLs of the catalog")
	if action != "list" {
		o.fs.StringVar(&name, "name", "", "user name")
	}
	if action == "add" {
		o.fs.StringVar(&passwordFile, "password-file", "", "file whose first line is the password (default: read it from standard input)")
	}
	switch action {
	case "add", "delete", "list":
	default:
		return fmt.Errorf("user %s: want add, delete or list", action)
	}
	if err := o.parse(args[1:]); err != nil {
		return err
	}
	if action != "list" && name == "" {
		return errors.New("--name is required")
	}
	cat, err := openCatalog(ctx, catalog.Config{Endpoints: etcd})
	if err != nil {
		return err
	}
	defer cat.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	switch action {
	case "add":
		password, err := readPassword(passwordFile)
		if err != nil {
			return err
		}
		v, err := server.NewSCRAMVerifier(password)
		if err != nil {
			return err
		}
		if err := cat.PutUser(ctx, catalog.User{Name: name, SCRAM: v}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "user %s added\n", name)
	case "delete":
		ok, err := cat.DeleteUser(ctx, name)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no user %s", name)
		}
		fmt.Fprintf(stdout, "user %s deleted\n", name)
	case "list":
		users, err := cat.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			fmt.Fprintf(stdout, "%s\tadded %s\n", u.Name, u.Created.Format(time.RFC3339))
		}
	}
	return nil
}

// readPassword reads the first line of path, or of standard input.
func readPassword(path string) (string, error) {
	var r io.Reader = os.Stdin
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", fmt.Errorf("read the password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty password")
	}
	return line, nil
}

// catalogUsers gives query nodes the verifiers of the catalog's users.
type catalogUsers struct{ cache *catalog.Cache }

func (u catalogUsers) Verifier(name string) (string, bool) {
	user, ok := u.cache.User(name)
	return user.SCRAM, ok
}
