package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
)

// FileName is the manifest's name inside a plugin folder.
const FileName = "plugin.json"

// Manifest is plugin.json.
type Manifest struct {
	ID               string                `json:"id"`
	Name             string                `json:"name"`
	Version          string                `json:"version"`
	Publisher        string                `json:"publisher"`
	ProtocolVersions []int                 `json:"protocol_versions"`
	Executables      map[string]Executable `json:"executables"` // by "GOOS/GOARCH"
	Signature        string                `json:"signature,omitempty"`
}

// Executable is one platform's binary, relative to the plugin folder.
type Executable struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"` // lower-case hex
}

var (
	idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	// A publisher name is one word, so it can head a line of a key file.
	publisherPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
)

// Decode reads plugin.json as strictly as Parse but without validating the
// fields: for tools that fill in a publisher's draft (blank checksums, no
// executables yet) before it is signed.
func Decode(r io.Reader) (Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Manifest{}, &Error{Code: CodeMalformed, Msg: "plugin.json is not valid: " + describeJSONError(err), Err: err}
	}
	if dec.More() {
		return Manifest{}, &Error{Code: CodeMalformed, Msg: "plugin.json has data after its JSON object"}
	}
	return m, nil
}

// Parse decodes plugin.json strictly: unknown fields and trailing data are
// errors, because a field the host ignores would not be covered by what the
// publisher meant to sign.
func Parse(r io.Reader) (Manifest, error) {
	m, err := Decode(r)
	if err != nil {
		return Manifest{}, err
	}
	if err := m.Validate(); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

func describeJSONError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case asErr(err, &se):
		return fmt.Sprintf("syntax error at byte %d: %v", se.Offset, se)
	case asErr(err, &te):
		return fmt.Sprintf("field %q should be %s", te.Field, te.Type)
	}
	return err.Error()
}

// Validate checks the fields a host relies on.
func (m Manifest) Validate() error {
	var problems []string
	if !idPattern.MatchString(m.ID) {
		problems = append(problems, fmt.Sprintf("id %q must be lower-case letters, digits, '.', '_' or '-'", m.ID))
	}
	if strings.TrimSpace(m.Name) == "" {
		problems = append(problems, "name is empty")
	}
	if strings.TrimSpace(m.Version) == "" {
		problems = append(problems, "version is empty")
	}
	if err := CheckPublisher(m.Publisher); err != nil {
		problems = append(problems, err.Error())
	}
	if len(m.ProtocolVersions) == 0 {
		problems = append(problems, "protocol_versions is empty")
	}
	if len(m.Executables) == 0 {
		problems = append(problems, "executables is empty")
	}
	for platform, e := range m.Executables {
		if !strings.Contains(platform, "/") {
			problems = append(problems, fmt.Sprintf("executables key %q is not GOOS/GOARCH", platform))
		}
		if err := checkRelative(e.Path); err != nil {
			return &Error{Code: CodePathEscapes, Plugin: m.ID, Msg: fmt.Sprintf("executable for %s: %v", platform, err)}
		}
		if len(e.SHA256) != 64 {
			problems = append(problems, fmt.Sprintf("executable for %s: sha256 must be 64 hex digits", platform))
		}
	}
	if len(problems) > 0 {
		return &Error{Code: CodeInvalid, Plugin: m.ID, Msg: "plugin.json: " + strings.Join(problems, "; ")}
	}
	return nil
}

// checkRelative refuses paths that would leave the plugin folder.
func checkRelative(p string) error {
	if p == "" {
		return fmt.Errorf("path is empty")
	}
	if filepath.IsAbs(p) || strings.HasPrefix(p, "/") || strings.Contains(p, `\`) {
		return fmt.Errorf("path %q must be relative to the plugin folder", p)
	}
	clean := filepath.Clean(p)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return fmt.Errorf("path %q leaves the plugin folder", p)
	}
	return nil
}

// Canonical is the byte string the signature covers: the manifest encoded
// by encoding/json (fields in declaration order, map keys sorted) without
// its signature.
func (m Manifest) Canonical() []byte {
	m.Signature = ""
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("manifest: encoding a plain struct cannot fail: %v", err))
	}
	return b
}

// Encode writes the manifest indented, as it is stored on disk.
func (m Manifest) Encode() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		panic(fmt.Sprintf("manifest: encoding a plain struct cannot fail: %v", err))
	}
	return buf.Bytes()
}

// Platform is the executables key for a GOOS and GOARCH.
func Platform(goos, goarch string) string { return goos + "/" + goarch }
