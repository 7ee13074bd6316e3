package ssh

import "crypto/x509"

// x509IncorrectPassword is what x/crypto/ssh returns for a wrong
// passphrase of a PEM-encrypted (legacy) key; OpenSSH-format keys return
// x509.IncorrectPasswordError too.
func x509IncorrectPassword() error { return x509.IncorrectPasswordError }
