// Package testtls makes throw-away TLS material for the scenario service and the fault server:
// a fresh ECDSA CA per run, a server certificate for 127.0.0.1/localhost and, for mTLS, a
// client certificate. The PEM files are written to a directory the caller names.
package testtls

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Files names the PEM files written: CA certificate, and with mTLS the client certificate and
// its PKCS#8 key.
type Files struct{ CA, ClientCert, ClientKey string }

type keyPair struct {
	cert *x509.Certificate
	der  []byte
	key  *ecdsa.PrivateKey
}

func issue(tmpl *x509.Certificate, parent *keyPair) (*keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	signer, parentCert := key, tmpl
	if parent != nil {
		signer, parentCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, &key.PublicKey, signer)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &keyPair{cert: cert, der: der, key: key}, nil
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}

// Server returns a server tls.Config with a certificate issued by a fresh CA written to
// dir/ca.pem; with mtls it also requires client certificates from that CA and writes one to
// dir/client.pem and dir/client-key.pem.
func Server(dir string, mtls bool) (*tls.Config, Files, error) {
	var files Files
	now := time.Now()
	ca, err := issue(&x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gorca scenario CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature, BasicConstraintsValid: true, IsCA: true,
	}, nil)
	if err != nil {
		return nil, files, err
	}
	leaf, err := issue(&x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}, ca)
	if err != nil {
		return nil, files, err
	}
	files.CA = filepath.Join(dir, "ca.pem")
	if err := writePEM(files.CA, "CERTIFICATE", ca.der); err != nil {
		return nil, files, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leaf.der, ca.der}, PrivateKey: leaf.key}}}
	if mtls {
		client, err := issue(&x509.Certificate{
			SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "gorca capture"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}, ca)
		if err != nil {
			return nil, files, err
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(client.key)
		if err != nil {
			return nil, files, err
		}
		files.ClientCert = filepath.Join(dir, "client.pem")
		files.ClientKey = filepath.Join(dir, "client-key.pem")
		if err := writePEM(files.ClientCert, "CERTIFICATE", client.der); err != nil {
			return nil, files, err
		}
		if err := writePEM(files.ClientKey, "PRIVATE KEY", keyDER); err != nil {
			return nil, files, err
		}
		pool := x509.NewCertPool()
		pool.AddCert(ca.cert)
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, files, nil
}
