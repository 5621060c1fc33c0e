@CSW-SEC-2
Feature: Password protection and protected guardian settings
  The watch asks for a password at power-on and at the lock screen. It ships
  with no default password: none of the passwords sellers and children try
  first opens it. Only the guardian changes the password and the guardian's
  settings. Both are judged by what the watch does: a locked or newly powered
  watch opens no app (only the basic functions work) until the password is
  given.

  Scenario: A watch in use opens only with the guardian's password
    Given a watch bound to its guardian
    When the child locks the watch
    And the child tries each of the profile's default passwords
    Then none of them unlocks the watch
    When the guardian sets the lock password "Kite-7291"
    And the child tries to open every app but the basic functions
    Then the watch refuses every one of them
    When the child tries each of the profile's default passwords
    Then none of them unlocks the watch
    When the child tries to unlock the watch with "kite-7291"
    Then the watch refuses
    When the child tries to unlock the watch with "Kite-7291"
    Then the watch allows it
    When the child tries to open an everyday app
    Then the watch allows it

  Scenario: After power-on the watch asks for the password
    Given a watch bound to its guardian
    And the guardian sets the lock password "Kite-7291"
    When the watch is switched off and on again
    And the child tries to open every app but the basic functions
    Then the watch refuses every one of them
    When the child tries to make an emergency call
    Then the watch allows it
    When the child tries each of the profile's default passwords
    Then none of them unlocks the watch
    When the child tries to unlock the watch with "kite-7291"
    Then the watch refuses
    When the child tries to unlock the watch with "Kite-7291"
    Then the watch allows it
    When the child tries to open an everyday app
    Then the watch allows it
    And the watch does not deny asking for a password at power-on and at the lock screen

  Scenario: No default password opens a watch out of the box
    Given a watch fresh out of the box
    When the child locks the watch
    And the child tries each of the profile's default passwords
    Then none of them unlocks the watch

  Scenario: The child cannot change the password or the guardian's settings on the watch
    Given a watch bound to its guardian
    And the guardian sets a short daily limit
    When the child tries to set a new lock password
    Then the watch refuses
    When the child tries to change the daily limit
    Then the watch refuses
    And the guardian's daily limit is unchanged

  Scenario: A guardian account the watch is not bound to changes nothing
    Given a watch bound to its guardian
    And the guardian sets a short daily limit
    When a guardian account that is not the bound guardian tries every guardian operation
    Then the watch refuses every one of them
    And the watch is still bound to its guardian
    And the guardian's daily limit is unchanged
