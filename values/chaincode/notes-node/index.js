'use strict';
// A minimal notes contract: one string per key.
const { Contract } = require('fabric-contract-api');

class Notes extends Contract {
    async write(ctx, key, text) {
        await ctx.stub.putState(key, Buffer.from(text));
    }

    async read(ctx, key) {
        return (await ctx.stub.getState(key)).toString();
    }
}

module.exports.contracts = [Notes];
