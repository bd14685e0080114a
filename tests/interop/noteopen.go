// noteopen opens a dissent checkpoint with a third-party C2SP signed-note
// implementation, Go's golang.org/x/mod/sumdb/note (Debian package
// golang-golang-x-mod-dev), and checks what it can:
//
//   - the log's verifier key parses with note.NewVerifier, and note.Open
//     verifies the log's signature with it alone; every witness
//     cosignature line is then listed among the unverified signatures,
//     with the witness's name and key hash (sumdb/note knows no
//     cosignature/v1 key, type 0x04: note.NewVerifier refuses those keys,
//     which is checked too);
//   - through note's own Verifier interface, a cosignature/v1 verifier
//     written here from the C2SP tlog-cosignature text (key hash
//     SHA-256(name || 0x0a || 0x04 || key)[:4]; signed message
//     "cosignature/v1\ntime <T>\n" || note text; signature bytes
//     timestamp[8] || Ed25519[64]) makes note.Open verify every
//     cosignature;
//   - the text is a C2SP checkpoint (origin = key name, size, root);
//   - a note with one byte of its text changed does not open.
//
// Usage: noteopen LOG_VERIFIER_KEY [WITNESS_KEY...] < signed-note
// Prints one line per check; exits 1 on the first that fails.
// Build offline: GO111MODULE=off GOPATH=/usr/share/gocode go build noteopen.go
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

func fail(format string, args ...interface{}) {
	fmt.Printf("FAIL "+format+"\n", args...)
	os.Exit(1)
}

// cosigVerifier checks cosignature/v1 lines through note.Verifier.
type cosigVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
	time uint64 // of the last cosignature verified
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	if t > 1<<63-1 {
		return false
	}
	signed := append([]byte("cosignature/v1\ntime "+strconv.FormatUint(t, 10)+"\n"), msg...)
	if !ed25519.Verify(v.key, signed, sig[8:]) {
		return false
	}
	v.time = t
	return true
}

// parseCosigKey parses name+hash+base64(0x04 || key) and checks the hash.
func parseCosigKey(s string) *cosigVerifier {
	parts := strings.SplitN(s, "+", 3)
	if len(parts) != 3 {
		fail("witness key %q is not name+hash+key", s)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		fail("witness key %q is not base64 of 0x04 and 32 bytes", s)
	}
	h := sha256.Sum256(append(append([]byte(parts[0]), '\n', 0x04), raw[1:]...))
	want := binary.BigEndian.Uint32(h[:4])
	got, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil || uint32(got) != want {
		fail("witness key %q: key hash %s, SHA-256(name||0x0a||0x04||key) gives %08x", s, parts[1], want)
	}
	return &cosigVerifier{name: parts[0], hash: want, key: ed25519.PublicKey(raw[1:])}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: noteopen LOG_VERIFIER_KEY [WITNESS_KEY...] < signed-note")
		os.Exit(2)
	}
	msg, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading the note: %v", err)
	}
	logv, err := note.NewVerifier(os.Args[1])
	if err != nil {
		fail("sumdb/note refuses the log's verifier key: %v", err)
	}
	fmt.Printf("ok   sumdb/note parses the log key %s+%08x\n", logv.Name(), logv.KeyHash())

	var wits []*cosigVerifier
	for _, k := range os.Args[2:] {
		if _, err := note.NewVerifier(k); err == nil {
			fail("sumdb/note accepted the cosignature/v1 key %q as a note key", k)
		}
		w := parseCosigKey(k)
		fmt.Printf("ok   sumdb/note refuses the witness key %s (type 0x04 is not a note key); its key hash %08x checks\n", w.name, w.hash)
		wits = append(wits, w)
	}

	// 1. the log key alone: the log's signature verified, cosignatures listed.
	n, err := note.Open(msg, note.VerifierList(logv))
	if err != nil {
		fail("note.Open with the log key: %v", err)
	}
	if len(n.Sigs) != 1 || n.Sigs[0].Name != logv.Name() || n.Sigs[0].Hash != logv.KeyHash() {
		fail("note.Open verified %d signatures, want the log's one", len(n.Sigs))
	}
	fmt.Printf("ok   note.Open verifies the log's signature (%s)\n", logv.Name())
	for _, w := range wits {
		found := false
		for _, s := range n.UnverifiedSigs {
			if s.Name == w.name && s.Hash == w.hash {
				found = true
			}
		}
		if !found {
			fail("no cosignature line of %s+%08x among the unverified signatures", w.name, w.hash)
		}
		fmt.Printf("ok   the cosignature line of %s+%08x is listed as unverified\n", w.name, w.hash)
	}

	// 2. the text is a checkpoint of this log.
	lines := strings.Split(strings.TrimSuffix(n.Text, "\n"), "\n")
	if len(lines) != 3 || lines[0] != logv.Name() {
		fail("the note text is not origin, size, root of %s: %q", logv.Name(), n.Text)
	}
	size, err := strconv.ParseUint(lines[1], 10, 64)
	root, err2 := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || err2 != nil || len(root) != 32 || strconv.FormatUint(size, 10) != lines[1] {
		fail("the checkpoint's size or root is malformed: %q", n.Text)
	}
	fmt.Printf("ok   checkpoint %s, size %d, root %s\n", lines[0], size, hex.EncodeToString(root[:8]))

	// 3. the log key and cosignature/v1 verifiers: every line verifies.
	list := []note.Verifier{logv}
	for _, w := range wits {
		list = append(list, w)
	}
	n, err = note.Open(msg, note.VerifierList(list...))
	if err != nil {
		fail("note.Open with the log key and the witnesses' cosignature verifiers: %v", err)
	}
	if len(n.Sigs) != 1+len(wits) || len(n.UnverifiedSigs) != 0 {
		fail("note.Open verified %d signatures and left %d, want %d and 0", len(n.Sigs), len(n.UnverifiedSigs), 1+len(wits))
	}
	for _, w := range wits {
		fmt.Printf("ok   note.Open verifies the cosignature of %s (time %d)\n", w.name, w.time)
	}

	// 4. one byte of the text changed: it does not open.
	bad := bytes.Replace(msg, []byte("\n"+lines[1]+"\n"), []byte("\n"+strconv.FormatUint(size+1, 10)+"\n"), 1)
	if _, err := note.Open(bad, note.VerifierList(list...)); err == nil {
		fail("note.Open accepted a note whose size was changed")
	}
	fmt.Println("ok   a note whose size was changed does not open")
}
