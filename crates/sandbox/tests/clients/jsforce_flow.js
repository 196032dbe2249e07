// Drives the Salesforce emulator's HTTPS port with jsforce, unchanged, through its ordinary
// API. Reads SANDBOX_SALESFORCE_URL, SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET,
// SANDBOX_USERNAME and SANDBOX_PASSWORD from the environment; NODE_EXTRA_CA_CERTS names the
// sandbox's CA certificate. Prints one JSON object with what each call returned.

const jsforce = require('jsforce');

const loginUrl = process.env.SANDBOX_SALESFORCE_URL;
const oauth2 = {
  clientId: process.env.SANDBOX_CLIENT_ID,
  clientSecret: process.env.SANDBOX_CLIENT_SECRET,
  loginUrl,
};

async function main() {
  const report = {};

  const service = new jsforce.Connection({ oauth2, version: '62.0' });
  const serviceUser = await service.authorize({ grant_type: 'client_credentials' });
  report.clientCredentialsUser = serviceUser.id;

  const conn = new jsforce.Connection({ oauth2, version: '62.0' });
  const user = await conn.login(process.env.SANDBOX_USERNAME, process.env.SANDBOX_PASSWORD);
  report.passwordUser = user.id;
  report.instanceUrl = conn.instanceUrl;

  const describe = await conn.describe('Account');
  report.describeFields = describe.fields.map((field) => field.name);

  const accounts = conn.sobject('Account');
  const created = await accounts.create({ Name: 'Node One', Phone: '555-0200' });
  report.created = created;
  report.updated = await accounts.update({ Id: created.id, Phone: '555-0201' });
  report.readPhone = (await accounts.retrieve(created.id)).Phone;
  report.upsertInsert = await accounts.upsert(
    { Name: 'Node Upsert', NetSuite_Internal_ID__c: 'JS-1' },
    'NetSuite_Internal_ID__c',
  );
  report.upsertUpdate = await accounts.upsert(
    { Name: 'Node Upsert Renamed', NetSuite_Internal_ID__c: 'JS-1' },
    'NetSuite_Internal_ID__c',
  );

  const rows = [];
  for (let index = 0; index < 120; index += 1) {
    rows.push({ NetSuite_Internal_ID__c: `JSB-${index}`, Name: `Node Bulk ${index}` });
  }
  const results = await conn.bulk2.loadAndWaitForResults({
    object: 'Account',
    operation: 'upsert',
    externalIdFieldName: 'NetSuite_Internal_ID__c',
    input: rows,
    pollInterval: 200,
  });
  report.bulkSuccessful = results.successfulResults.length;
  report.bulkFailed = results.failedResults.length;

  // The sandbox invalidates every token; jsforce logs in again by itself.
  await fetch(`${loginUrl}/__sandbox/sessions/expire`, { method: 'POST' });
  const all = await conn.query('SELECT Id, Name FROM Account ORDER BY Name', {
    autoFetch: true,
    maxFetch: 100000,
  });
  report.queryTotal = all.totalSize;
  report.queryRecords = all.records.length;

  const bulkRows = await (await conn.bulk2.query('SELECT Id, Name FROM Account', {
    pollInterval: 200,
  })).toArray();
  report.bulkQueryRows = bulkRows.length;

  report.deleted = await accounts.destroy(created.id);
  const deleted = await conn.query(
    `SELECT Id, IsDeleted FROM Account WHERE Id = '${created.id}'`,
    { scanAll: true },
  );
  report.deletedRows = deleted.records.map((row) => row.IsDeleted);

  await collections(conn, report);
  await relationships(conn, report);
  console.log(JSON.stringify(report));
}

// Creates, retrieves, upserts and deletes several Accounts per call through sObject
// Collections, which jsforce uses for arrays of records.
async function collections(conn, report) {
  const accounts = conn.sobject('Account');
  const created = await accounts.create([{ Name: 'Node Many 1' }, { Name: 'Node Many 2' }]);
  report.manyCreated = created.map((result) => result.success);
  const ids = created.map((result) => result.id);
  const retrieved = await accounts.retrieve(ids, { fields: ['Name'] });
  report.manyRetrieved = retrieved.map((record) => record.Name);
  const upserted = await accounts.upsert(
    [
      { NetSuite_Internal_ID__c: 'JS-1', Name: 'Node Upsert Again' },
      { NetSuite_Internal_ID__c: 'JS-MANY', Name: 'Node Upsert Many' },
    ],
    'NetSuite_Internal_ID__c',
  );
  report.manyUpserted = upserted.map((result) => result.created);
  const destroyed = await accounts.destroy(ids);
  report.manyDestroyed = destroyed.map((result) => result.success);
}

// Reads parents and children with relationship queries and runs a composite request.
async function relationships(conn, report) {
  const account = await conn.sobject('Account').create({ Name: 'Node Parent' });
  await conn.sobject('Contact').create({ LastName: 'Node Child', AccountId: account.id });
  const contacts = await conn.query(
    `SELECT LastName, Account.Name FROM Contact WHERE AccountId = '${account.id}'`,
  );
  report.contactAccountName = contacts.records[0].Account.Name;
  const parents = await conn.query(
    `SELECT Name, (SELECT LastName FROM Contacts) FROM Account WHERE Id = '${account.id}'`,
  );
  report.subqueryLastNames = parents.records[0].Contacts.records.map((row) => row.LastName);
  const composite = await conn.requestPost(`/services/data/v${conn.version}/composite`, {
    allOrNone: true,
    compositeRequest: [
      {
        method: 'GET',
        url: `/services/data/v${conn.version}/query?q=SELECT+Id+FROM+Account+WHERE+Name='Node Parent'`,
        referenceId: 'Parent',
      },
      {
        method: 'PATCH',
        url: `/services/data/v${conn.version}/sobjects/Account/@{Parent.records[0].Id}`,
        referenceId: 'Rename',
        body: { Name: 'Node Parent Renamed' },
      },
    ],
  });
  report.compositeStatuses = composite.compositeResponse.map((item) => item.httpStatusCode);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
