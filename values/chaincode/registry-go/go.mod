// The requirements and go.sum are those of fabric-samples asset-transfer-basic/chaincode-go
// at the commit that moved it to fabric-contract-api-go v2.2.0 (go 1.22.0), so that Fabric's
// Go platform, which builds with -mod=readonly (core/chaincode/platforms/golang), finds a
// go.sum entry for every module it loads. Modules this contract does not import stay listed:
// removing one would change the versions the others select.
module example.com/fabgen/registry

go 1.22.0

require (
	github.com/hyperledger/fabric-chaincode-go/v2 v2.0.0
	github.com/hyperledger/fabric-contract-api-go/v2 v2.2.0
	github.com/hyperledger/fabric-protos-go-apiv2 v0.3.4
	github.com/stretchr/testify v1.10.0
	google.golang.org/protobuf v1.36.1
)

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/go-openapi/jsonpointer v0.21.0 // indirect
	github.com/go-openapi/jsonreference v0.21.0 // indirect
	github.com/go-openapi/spec v0.21.0 // indirect
	github.com/go-openapi/swag v0.23.0 // indirect
	github.com/josharian/intern v1.0.0 // indirect
	github.com/mailru/easyjson v0.7.7 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	github.com/xeipuuv/gojsonpointer v0.0.0-20190905194746-02993c407bfb // indirect
	github.com/xeipuuv/gojsonreference v0.0.0-20180127040603-bd5ef7bd5415 // indirect
	github.com/xeipuuv/gojsonschema v1.2.0 // indirect
	golang.org/x/net v0.28.0 // indirect
	golang.org/x/sys v0.24.0 // indirect
	golang.org/x/text v0.17.0 // indirect
	google.golang.org/genproto v0.0.0-20230410155749-daa745c078e1 // indirect
	google.golang.org/grpc v1.67.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
