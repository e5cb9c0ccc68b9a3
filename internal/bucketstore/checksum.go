package bucketstore

import (
	"crypto/sha1"
	"crypto/sha256"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"
)

// crc64NVMETable is CRC-64/NVME (the polynomial 0xAD93D23594C93659 in the
// reversed form Go's crc64 package expects), S3's CRC64NVME checksum.
var crc64NVMETable = crc64.MakeTable(0x9a6c9329ac4bc9b5)

var crc32CTable = crc32.MakeTable(crc32.Castagnoli)

// ChecksumAlgorithms are the additional checksums S3 accepts, by the names
// used in x-amz-checksum-<lowercase name> headers.
var ChecksumAlgorithms = []string{"CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"}

func newChecksumHash(algorithm string) (hash.Hash, error) {
	switch strings.ToUpper(algorithm) {
	case "CRC32":
		return crc32.NewIEEE(), nil
	case "CRC32C":
		return crc32.New(crc32CTable), nil
	case "CRC64NVME":
		return crc64.New(crc64NVMETable), nil
	case "SHA1":
		return sha1.New(), nil
	case "SHA256":
		return sha256.New(), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupportedChecksum, algorithm)
}
