@CSW-SAF-4
Feature: Only the guardian's contacts can call the watch
  The watch rings only for numbers on the contact list the guardian keeps.
  Other numbers (strangers, sellers, nuisance callers) do not get through, and
  the child cannot add a number to the list from the watch. The numbers tried
  are derived from the declaration and the watch's own contact list, so none
  of them is a contact by chance.

  Scenario: The guardian's number rings and an unknown number does not
    Given a watch bound to its guardian
    When a call comes in from the guardian's number
    Then the watch rings
    When a call comes in from a number not on the contact list
    Then the watch does not ring

  Scenario Outline: A number one digit away from the guardian's does not ring (<digit>)
    Given a watch bound to its guardian
    When a call comes in from the guardian's number with <digit> changed
    Then the watch does not ring

    Examples:
      | digit            |
      | its last digit   |
      | its second digit |

  Scenario: A number the guardian adds rings from then on
    Given a watch bound to its guardian
    When a call comes in from a number not on the contact list
    Then the watch does not ring
    When the guardian adds that number to the contacts
    And a call comes in from that number
    Then the watch rings

  Scenario: The child cannot add a number to the contacts
    Given a watch bound to its guardian
    When the child tries to add that number to the contacts
    Then the watch refuses
    When a call comes in from that number
    Then the watch does not ring
