// Command registry is a minimal key/value contract, the source fabgen's k8scc example
// packages: hlfabric-k8scc builds it in fabric-ccenv and launches it in the cluster.
package main

import (
	"fmt"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// Registry stores strings under keys.
type Registry struct {
	contractapi.Contract
}

// Put stores value under key.
func (r *Registry) Put(ctx contractapi.TransactionContextInterface, key string, value string) error {
	return ctx.GetStub().PutState(key, []byte(value))
}

// Get returns the value stored under key.
func (r *Registry) Get(ctx contractapi.TransactionContextInterface, key string) (string, error) {
	value, err := ctx.GetStub().GetState(key)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", key, err)
	}
	return string(value), nil
}

func main() {
	chaincode, err := contractapi.NewChaincode(&Registry{})
	if err != nil {
		panic(err)
	}
	if err := chaincode.Start(); err != nil {
		panic(err)
	}
}
