"""The points app's state changes, one module per topic (as pretix's base/services/): the ledger
(`ledger.award`, `ledger.adjust`), the points supermarket (`rewards.redeem`, `rewards.fulfil`) and
volunteer teams and activities (`activities.sign_up`, `activities.mark_attendance`)."""
