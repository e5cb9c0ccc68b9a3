package signingkeys

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cairnhq/cairn/internal/fsutil"
)

const (
	tmpPrefix     = ".tmp-"
	pemBlockType  = "RSA PRIVATE KEY"
	metaVersion   = 1
	fileTimestamp = "20060102T150405Z"
)

// keyMeta is the content of a key's .json file.
type keyMeta struct {
	Version       int       `json:"version"`
	Region        string    `json:"region"`
	Fingerprint   string    `json:"fingerprint"`
	ValidityStart time.Time `json:"validityStart"`
	ValidityEnd   time.Time `json:"validityEnd"`
}

func fileBase(start time.Time, fingerprint string) string {
	return start.UTC().Format(fileTimestamp) + "-" + fingerprint
}

func writeKey(dir string, k *Key) error {
	rdir := filepath.Join(dir, k.Region)
	if err := os.Mkdir(rdir, 0o700); err == nil {
		if err := fsutil.SyncDir(dir); err != nil {
			return err
		}
	} else if !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("signingkeys: %w", err)
	}

	base := fileBase(k.ValidityStart, k.Fingerprint)
	pemData := pem.EncodeToMemory(&pem.Block{Type: pemBlockType, Bytes: x509.MarshalPKCS1PrivateKey(k.private)})
	if err := writeFileDurable(rdir, base+".pem", pemData); err != nil {
		return err
	}
	meta, err := json.MarshalIndent(keyMeta{
		Version:       metaVersion,
		Region:        k.Region,
		Fingerprint:   k.Fingerprint,
		ValidityStart: k.ValidityStart,
		ValidityEnd:   k.ValidityEnd,
	}, "", "  ")
	if err != nil {
		return fmt.Errorf("signingkeys: %w", err)
	}
	return writeFileDurable(rdir, base+".json", append(meta, '\n'))
}

// writeFileDurable replaces dir/name with data so that after a crash the file
// is either absent or complete.
func writeFileDurable(dir, name string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, tmpPrefix+name+"-*")
	if err != nil {
		return fmt.Errorf("signingkeys: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("signingkeys: write %s: %w", filepath.Join(dir, name), err)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	return fsutil.SyncDir(dir)
}

// loadAll reads every region's keys under dir, creating dir if it is missing.
func loadAll(dir string) (map[string][]*Key, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("signingkeys: %w", err)
		}
		if err := fsutil.SyncDir(filepath.Dir(dir)); err != nil {
			return nil, err
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("signingkeys: %w", err)
	}
	out := make(map[string][]*Key)
	for _, e := range entries {
		if !e.IsDir() || !validRegion(e.Name()) {
			continue
		}
		keys, err := loadRegion(filepath.Join(dir, e.Name()), e.Name())
		if err != nil {
			return nil, err
		}
		if len(keys) > 0 {
			out[e.Name()] = keys
		}
	}
	return out, nil
}

func loadRegion(rdir, region string) ([]*Key, error) {
	entries, err := os.ReadDir(rdir)
	if err != nil {
		return nil, fmt.Errorf("signingkeys: %w", err)
	}
	var keys []*Key
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, tmpPrefix):
			// An unfinished write from a crash; the key it belonged to was
			// never handed out.
			os.Remove(filepath.Join(rdir, name))
		case e.Type().IsRegular() && strings.HasSuffix(name, ".json"):
			k, err := loadKey(rdir, region, strings.TrimSuffix(name, ".json"))
			if err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b *Key) int { return a.ValidityStart.Compare(b.ValidityStart) })
	return keys, nil
}

func loadKey(rdir, region, base string) (*Key, error) {
	metaPath := filepath.Join(rdir, base+".json")
	pemPath := filepath.Join(rdir, base+".pem")
	corrupt := func(path, format string, args ...any) error {
		return fmt.Errorf("%w %s: %s", ErrCorruptKey, path, fmt.Sprintf(format, args...))
	}

	raw, err := os.ReadFile(metaPath)
	if err != nil {
		return nil, fmt.Errorf("signingkeys: %w", err)
	}
	var meta keyMeta
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		return nil, corrupt(metaPath, "%v", err)
	}
	switch {
	case meta.Version != metaVersion:
		return nil, corrupt(metaPath, "unsupported version %d", meta.Version)
	case meta.Region != region:
		return nil, corrupt(metaPath, "region %q stored under %q", meta.Region, region)
	case !meta.ValidityEnd.After(meta.ValidityStart):
		return nil, corrupt(metaPath, "validity end %v is not after start %v", meta.ValidityEnd, meta.ValidityStart)
	}

	raw, err = os.ReadFile(pemPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, corrupt(pemPath, "missing (its metadata file exists)")
	} else if err != nil {
		return nil, fmt.Errorf("signingkeys: %w", err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != pemBlockType {
		return nil, corrupt(pemPath, "no %q PEM block", pemBlockType)
	}
	priv, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return nil, corrupt(pemPath, "%v", err)
	}
	k := newKey(region, priv, meta.ValidityStart.UTC(), meta.ValidityEnd.UTC())
	if k.Fingerprint != meta.Fingerprint {
		return nil, corrupt(pemPath, "key fingerprint %s does not match %s in %s", k.Fingerprint, meta.Fingerprint, filepath.Base(metaPath))
	}
	return k, nil
}
