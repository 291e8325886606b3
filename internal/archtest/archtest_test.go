// Package archtest keeps the architecture's rules true: which package may
// import which, where the store is opened, and how large packages and
// functions may grow. It reads the source with go/parser, so it needs no
// build and runs with the rest of go test ./...
package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/airlock-iot/airlock"

const (
	maxPackageLines  = 1500
	maxFunctionLines = 60
)

// debt is what is over a size limit today (see issue 22): packages by path,
// functions as file:name. It may only shrink: an entry that is no longer
// over its limit fails the test as well, so that it is struck off.
var debt = map[string]bool{}

// checkSize reports name when it is over limit and not in debt, or in
// debt and no longer over.
func checkSize(t *testing.T, name string, n, limit int, what string) {
	t.Helper()
	switch over := n > limit; {
	case over && !debt[name]:
		t.Errorf("%s is %d %s, over %d", name, n, what, limit)
	case !over && debt[name]:
		t.Errorf("%s is %d %s, within %d: strike it off the debt list", name, n, what, limit)
	}
}

// file is one parsed .go file of the module.
type file struct {
	path  string // relative to the module root
	pkg   string // import path of its directory
	test  bool
	lines int
	ast   *ast.File
	fset  *token.FileSet
}

func loadFiles(t *testing.T) []file {
	t.Helper()
	root := moduleRoot(t)
	var files []file
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		pkg := module
		if dir := filepath.ToSlash(filepath.Dir(rel)); dir != "." {
			pkg += "/" + dir
		}
		files = append(files, file{
			path: filepath.ToSlash(rel), pkg: pkg, test: strings.HasSuffix(p, "_test.go"),
			lines: strings.Count(string(src), "\n"), ast: f, fset: fset,
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

func imports(f file) []string {
	var out []string
	for _, s := range f.ast.Imports {
		p, _ := strconv.Unquote(s.Path.Value)
		out = append(out, p)
	}
	return out
}

// TestImports checks the edges: the service speaks no HTTP, the API reaches
// data only through the service, and the event hub sees the store only
// through an interface.
func TestImports(t *testing.T) {
	rules := []struct{ from, to string }{
		{module + "/internal/service", "net/http"},
		{module + "/internal/api", module + "/internal/store"},
		{module + "/internal/events", module + "/internal/store"},
	}
	for _, f := range loadFiles(t) {
		if f.test {
			continue
		}
		for _, r := range rules {
			if !within(f.pkg, r.from) {
				continue
			}
			for _, imp := range imports(f) {
				if within(imp, r.to) {
					t.Errorf("%s imports %s (%s must not import %s)", f.path, imp, r.from, r.to)
				}
			}
		}
	}
}

// within reports whether pkg is p or one of its sub-packages.
func within(pkg, p string) bool {
	return pkg == p || strings.HasPrefix(pkg, p+"/")
}

// TestOneWiring checks that exactly one non-test file outside the store
// opens it: the one place the system is put together.
func TestOneWiring(t *testing.T) {
	storePkg := module + "/internal/store"
	var openers []string
	for _, f := range loadFiles(t) {
		if f.test || within(f.pkg, storePkg) {
			continue
		}
		name := importName(f, storePkg)
		if name == "" {
			continue
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if ok && sel.Sel.Name == "Open" {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == name {
					openers = append(openers, f.path)
				}
			}
			return true
		})
	}
	if len(openers) != 1 {
		t.Errorf("store.Open is called from %d non-test files outside internal/store, want 1: %v", len(openers), openers)
	}
}

// importName is the name f uses for the package at path, or "".
func importName(f file, path string) string {
	for _, s := range f.ast.Imports {
		if p, _ := strconv.Unquote(s.Path.Value); p == path {
			if s.Name != nil {
				return s.Name.Name
			}
			return path[strings.LastIndex(path, "/")+1:]
		}
	}
	return ""
}

// TestPackageSize keeps each package small enough to read in a sitting.
func TestPackageSize(t *testing.T) {
	lines := map[string]int{}
	for _, f := range loadFiles(t) {
		if !f.test {
			lines[f.pkg] += f.lines
		}
	}
	var pkgs []string
	for p := range lines {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		checkSize(t, strings.TrimPrefix(p, module+"/"), lines[p], maxPackageLines, "lines of non-test Go")
	}
}

// TestFunctionSize keeps every function, tests included, short.
func TestFunctionSize(t *testing.T) {
	for _, f := range loadFiles(t) {
		for _, d := range f.ast.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			start, end := f.fset.Position(fn.Pos()).Line, f.fset.Position(fn.End()).Line
			checkSize(t, f.path+":"+fn.Name.Name, end-start+1, maxFunctionLines, "lines")
		}
	}
}
