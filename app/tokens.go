package app

import (
	"errors"

	"github.com/zalando/go-keyring"
)

// TokenStore keeps session tokens in the operating system's keychain
// (Secret Service on Linux, Keychain on macOS, Credential Manager on
// Windows), never in a plain file. Account names a server and operator.
type TokenStore interface {
	Get(account string) (string, error)
	Set(account, token string) error
	Delete(account string) error
}

// errNoToken is what a TokenStore's Get returns when it holds nothing.
var errNoToken = errors.New("no token stored")

// keychain is the TokenStore over the OS keychain.
type keychain struct{}

const keychainService = "Switchboard"

func (keychain) Get(account string) (string, error) {
	tok, err := keyring.Get(keychainService, account)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", errNoToken
	}
	return tok, err
}

func (keychain) Set(account, token string) error { return keyring.Set(keychainService, account, token) }

func (keychain) Delete(account string) error {
	err := keyring.Delete(keychainService, account)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

func tokenAccount(server, operatorID string) string { return operatorID + "@" + server }
